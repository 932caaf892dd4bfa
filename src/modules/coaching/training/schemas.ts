import Joi from 'joi';
import { localDateInput as localDate, objectIdInput as objectId } from '../schema-parts.js';

/** A training as it comes in. */
export const trainingInput = Joi.object({
  title: Joi.string().trim().min(3).max(300).required(),
  provider: Joi.string().trim().min(2).max(300).required(),
  startDate: localDate.required(),
  endDate: localDate.required(),
  jp: Joi.number().integer().min(1).max(500).required(),
  suggestionId: objectId.allow('', null),
});
export interface TrainingInput {
  title: string;
  provider: string;
  startDate: string;
  endDate: string;
  jp: number;
  suggestionId?: string | null;
}
