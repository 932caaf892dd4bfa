import Joi from 'joi';
import { behaviourRules, berakhlakValues, evaluationPeriods, ratings } from './model.js';

/** What comes in for evaluations: the period to draft, ratings and reasons, a signature, the agency's period. */

/** A period: the year and which part of it (quarter 1–4, semester 1–2, 1 for annual); default the current one. */
export const evaluationInput = Joi.object({
  year: Joi.number().integer().min(2000).max(2100),
  part: Joi.number().integer().min(1).max(4),
}).and('year', 'part');
export interface EvaluationInput {
  year?: number;
  part?: number;
}

const rated = Joi.object({
  rating: Joi.string()
    .valid(...ratings)
    .allow(null, ''),
  reason: Joi.string().trim().max(1000).allow(''),
});
/**
 * The assessor's own behaviour rating with the reason the officer reads (10–500 characters, checked by the service with
 * the rating); `rating` empty (or `null` for the whole object) takes the override back: the rule's rating applies.
 */
const behaviourOverride = Joi.object({
  rating: Joi.string()
    .valid(...ratings)
    .allow(null, ''),
  reason: Joi.string().trim().max(500).allow(''),
}).allow(null);
export const evaluationUpdate = Joi.object({
  revision: Joi.number().integer().min(0).required(),
  results: rated,
  values: Joi.object(Object.fromEntries(berakhlakValues.map((value) => [value, rated]))),
  behaviourOverride,
});
export interface RatedInput {
  rating?: string | null;
  reason?: string;
}
export interface EvaluationUpdate {
  revision: number;
  results?: RatedInput;
  values?: Partial<Record<(typeof berakhlakValues)[number], RatedInput>>;
  behaviourOverride?: RatedInput | null;
}

export const revisionInput = Joi.object({ revision: Joi.number().integer().min(0).required() });

export const settingsInput = Joi.object({
  evaluationPeriod: Joi.string().valid(...evaluationPeriods),
  behaviourRule: Joi.string().valid(...behaviourRules),
  jpTarget: Joi.number().integer().min(0).max(500),
}).or('evaluationPeriod', 'behaviourRule', 'jpTarget');
