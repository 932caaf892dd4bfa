import Joi from 'joi';
import { unitCode } from '../directory/index.js';

/** `POST /api/v1/kiosks` and the staff page's form. */
export const registerKioskInput = Joi.object({
  unitCode: unitCode.required(),
  counter: Joi.string()
    .trim()
    .uppercase()
    .pattern(/^[A-Z0-9][A-Z0-9-]{0,39}$/)
    .allow('', null),
});
export type RegisterKioskInput = { unitCode: string; counter?: string | null };

/** The secret in a kiosk's address: `k_` and 32 url-safe characters; anything else is no kiosk. */
export const KIOSK_KEY = /^k_[\w-]{32}$/;
