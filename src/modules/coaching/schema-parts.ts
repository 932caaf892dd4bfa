import { Schema, type Types } from 'mongoose';
import Joi from 'joi';
import { isLocalDate } from '../../platform/calendar.js';

/** Pieces the coaching work's stored documents and inputs share: a person who acted, a text in both languages. */

export const person = {
  userId: { type: Schema.Types.ObjectId, required: true },
  name: { type: String, required: true },
};
export interface Person {
  userId: Types.ObjectId;
  name: string;
}

export const localized = { id: { type: String, required: true }, en: { type: String, required: true } };
export interface Localized {
  id: string;
  en: string;
}

/** A day on the agency's wall clock, 'YYYY-MM-DD'. */
export const localDateInput = Joi.string()
  .trim()
  .custom((value: string) => {
    if (!isLocalDate(value)) throw new Error('coaching.work.bad_date');
    return value;
  });

export const objectIdInput = Joi.string()
  .trim()
  .pattern(/^[0-9a-f]{24}$/i)
  .messages({ 'string.pattern.base': 'coaching.work.bad_reference' });
