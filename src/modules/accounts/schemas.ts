import Joi from 'joi';
import { roles } from '../../platform/access.js';

export const email = Joi.string().trim().lowercase().email({ tlds: false }).max(200);

export const loginInput = Joi.object({
  email: email.required(),
  password: Joi.string().min(1).max(200).required(),
});

export const newPassword = Joi.string().min(10).max(200);
const role = Joi.string().valid(...roles);
const unitCode = Joi.string().trim().uppercase().max(40).allow('', null);
/** Spaces, dots and dashes are how NIPs are printed; an empty value unlinks. */
const officerNip = Joi.string()
  .trim()
  .replace(/[\s.-]/g, '')
  .max(40)
  .allow('', null);

export const createUserInput = Joi.object({
  email: email.required(),
  name: Joi.string().trim().min(2).max(200).required(),
  password: newPassword.required(),
  role: role.required(),
  unitCode,
  officerNip,
});

/** A line of an accounts CSV: no password (the person sets their own through the link they are sent). */
export const importUserInput = createUserInput.keys({ password: Joi.any().strip() });

export const grantInput = Joi.object({ role: role.required(), unitCode });

/** The digest checkbox: "1" on, "0" off (the routes pass the last value of the hidden "0" and the box). */
const digestChoice = Joi.boolean().truthy('1', 'on').falsy('0', '');

export const updateUserInput = Joi.object({
  name: Joi.string().trim().min(2).max(200),
  officerNip,
  grants: Joi.array().items(grantInput).min(1).max(20),
  disabled: Joi.boolean(),
  digest: digestChoice,
});

/** One's own page: the morning digest on or off. */
export const digestInput = Joi.object({ digest: digestChoice.required() });

export const createTokenInput = Joi.object({
  name: Joi.string().trim().min(2).max(100).required(),
  /**
   * The roles the token carries (`roles`, or one `role`), each one the creator holds; may be left out by someone with
   * only one grant. `unitCode` narrows them to that unit's subtree, which must lie within the creator's grant.
   */
  role,
  roles: Joi.array().single().items(role).min(1).max(roles.length).unique(),
  unitCode,
  expiresInDays: Joi.number().integer().min(1).max(365).default(90),
});

export const forgotPasswordInput = Joi.object({ email: email.required() });

export const resetPasswordInput = Joi.object({
  token: Joi.string().trim().max(200).required(),
  password: newPassword.required(),
});
