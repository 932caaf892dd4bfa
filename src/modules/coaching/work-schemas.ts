import Joi from 'joi';
import { isLocalDate } from '../../platform/calendar.js';
import { berakhlakValues, evaluationPeriods, ratings } from './work-model.js';

/** What comes in for the coaching work (sessions, actions, plan, training, evaluations). */

const localDate = Joi.string()
  .trim()
  .custom((value: string) => {
    if (!isLocalDate(value)) throw new Error('coaching.work.bad_date');
    return value;
  });
const objectId = Joi.string()
  .trim()
  .pattern(/^[0-9a-f]{24}$/i)
  .messages({ 'string.pattern.base': 'coaching.work.bad_reference' });

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

export const suggestionDecision = Joi.object({
  decision: Joi.string().valid('accept', 'edit', 'dismiss').required(),
  reason: Joi.string().trim().min(3).max(2000).required(),
  competency: Joi.when('decision', {
    is: 'edit',
    then: Joi.string().trim().min(3).max(200).required(),
    otherwise: Joi.forbidden(),
  }),
  training: Joi.when('decision', {
    is: 'edit',
    then: Joi.string().trim().min(3).max(200).required(),
    otherwise: Joi.forbidden(),
  }),
});
export interface SuggestionDecision {
  decision: 'accept' | 'edit' | 'dismiss';
  reason: string;
  competency?: string;
  training?: string;
}

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
export const evaluationUpdate = Joi.object({
  revision: Joi.number().integer().min(0).required(),
  results: rated,
  values: Joi.object(Object.fromEntries(berakhlakValues.map((value) => [value, rated]))),
});
export interface RatedInput {
  rating?: string | null;
  reason?: string;
}
export interface EvaluationUpdate {
  revision: number;
  results?: RatedInput;
  values?: Partial<Record<(typeof berakhlakValues)[number], RatedInput>>;
}

export const revisionInput = Joi.object({ revision: Joi.number().integer().min(0).required() });

export const settingsInput = Joi.object({
  evaluationPeriod: Joi.string()
    .valid(...evaluationPeriods)
    .required(),
});
