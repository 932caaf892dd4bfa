import Joi from 'joi';
import { localDateInput as localDate } from '../schema-parts.js';

/** A coaching session as it comes in: its day, topics, notes and agreed actions. */
export const sessionInput = Joi.object({
  date: localDate.required(),
  topics: Joi.array()
    .items(
      Joi.object({
        kind: Joi.string().valid('finding', 'ticket').required(),
        /** A finding id, or a ticket's id or tracking code. */
        id: Joi.string().trim().max(40).required(),
      }),
    )
    .max(30)
    .default([]),
  notes: Joi.string().trim().max(10_000).allow('').default(''),
  actions: Joi.array()
    .items(
      Joi.object({
        text: Joi.string().trim().min(3).max(1000).required(),
        owner: Joi.string().valid('officer', 'coach').default('officer'),
        dueDate: localDate.required(),
      }),
    )
    .max(20)
    .default([]),
});
export interface SessionInput {
  date: string;
  topics: { kind: 'finding' | 'ticket'; id: string }[];
  notes: string;
  actions: { text: string; owner: 'officer' | 'coach'; dueDate: string }[];
}
