import Joi from 'joi';
import { objectIdInput } from '../schema-parts.js';

/**
 * A development-plan rule as an agency admin writes it: the category, how many findings within how many days, and
 * what it suggests (a course of the agency's catalogue, or a training named in text). The English texts default to the
 * Indonesian ones (an agency writes in Bahasa Indonesia first).
 */
const fields = {
  category: Joi.string().trim().max(60),
  minCount: Joi.number().integer().min(1).max(50),
  windowDays: Joi.number().integer().min(1).max(730),
  competencyId: Joi.string().trim().min(3).max(200),
  competencyEn: Joi.string().trim().max(200).allow(''),
  trainingId: Joi.string().trim().min(3).max(200),
  trainingEn: Joi.string().trim().max(200).allow(''),
  jp: Joi.number().integer().min(1).max(500).allow(null, ''),
  courseId: objectIdInput.allow(null, ''),
};
export const ruleInput = Joi.object({
  ...fields,
  category: fields.category.required(),
  minCount: fields.minCount.required(),
  windowDays: fields.windowDays.required(),
  competencyId: fields.competencyId.required(),
  // A course of the catalogue names the training itself.
  trainingId: fields.trainingId.when('courseId', {
    is: Joi.string().min(1).required(),
    then: Joi.optional(),
    otherwise: Joi.required(),
  }),
});
export const ruleChange = Joi.object({ ...fields, active: Joi.boolean() }).min(1);
export interface RuleInput {
  category: string;
  minCount: number;
  windowDays: number;
  competencyId: string;
  competencyEn?: string;
  trainingId?: string;
  trainingEn?: string;
  courseId?: string | null;
  jp?: number | null | '';
  active?: boolean;
}
