import Joi from 'joi';
import { localDateInput as localDate, objectIdInput as objectId } from '../schema-parts.js';
import { trainingMethods, type TrainingMethod } from './catalogue-model.js';

/**
 * A training as it comes in: a course of the agency's catalogue (`courseId`, whose title, provider and JP fill what is
 * left out) or free text.
 */
const whenNoCourse = (schema: Joi.Schema) =>
  schema.when('courseId', { is: Joi.string().min(1).required(), then: Joi.optional(), otherwise: Joi.required() });
export const trainingInput = Joi.object({
  courseId: objectId.allow('', null),
  title: whenNoCourse(Joi.string().trim().min(3).max(300)),
  provider: whenNoCourse(Joi.string().trim().min(2).max(300)),
  startDate: localDate.required(),
  endDate: localDate.required(),
  jp: whenNoCourse(Joi.number().integer().min(1).max(500)),
  suggestionId: objectId.allow('', null),
});
export interface TrainingInput {
  courseId?: string | null;
  title?: string;
  provider?: string;
  startDate: string;
  endDate: string;
  jp?: number;
  suggestionId?: string | null;
}

/** A course of the agency's training catalogue as its admin writes it. */
const courseFields = {
  title: Joi.string().trim().min(3).max(300),
  provider: Joi.string().trim().min(2).max(300),
  jp: Joi.number().integer().min(1).max(500),
  method: Joi.string().valid(...trainingMethods),
};
export const courseInput = Joi.object({
  title: courseFields.title.required(),
  provider: courseFields.provider.required(),
  jp: courseFields.jp.required(),
  method: courseFields.method.required(),
});
export const courseChange = Joi.object({ ...courseFields, active: Joi.boolean() }).min(1);
export interface CourseInput {
  title: string;
  provider: string;
  jp: number;
  method: TrainingMethod;
}
