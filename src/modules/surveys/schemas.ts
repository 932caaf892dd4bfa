import Joi from 'joi';
import { nip, unitCode } from '../directory/index.js';
import { ELEMENT_COUNT } from './ikm.js';
import { ageBands, educations, genders, occupations } from './model.js';

/** One answer: an integer 1–4 as JSON has it ("4" is a wrong type; the HTML form converts its own strings). */
const answer = Joi.number().integer().min(1).max(4).strict();

const optionalCode = unitCode.allow(null, '');

/** What `POST /api/v1/surveys` takes (README.md#api), and what the HTML form is mapped onto. */
export const surveyInput = Joi.object({
  unitCode: unitCode.required(),
  serviceCode: optionalCode,
  counter: optionalCode,
  /** Staff and integrations name the officer by NIP; public pages by the opaque reference. */
  officerNip: nip.allow(null, ''),
  officerRef: Joi.string()
    .trim()
    .pattern(/^[\w-]{4,64}$/)
    .allow(null, ''),
  answers: Joi.array()
    .items(answer)
    .required()
    .custom((answers: unknown[]) => {
      if (answers.length !== ELEMENT_COUNT) throw new Error('surveys.answers_count');
      return answers;
    }),
  respondent: Joi.object({
    gender: Joi.string()
      .valid(...genders)
      .required(),
    ageBand: Joi.string()
      .valid(...ageBands)
      .required(),
    education: Joi.string()
      .valid(...educations)
      .required(),
    occupation: Joi.string()
      .valid(...occupations)
      .required(),
  }).required(),
  comment: Joi.string().trim().max(1000).allow(null, ''),
  /** The signed rendered-at token of the HTML form (a page script may pass it on, too). */
  formToken: Joi.string().max(200).allow(null, ''),
});

const optionalChoice = (codes: readonly string[]) =>
  Joi.string()
    .valid(...codes)
    .allow(null, '');

/**
 * A counter kiosk's answer: the same, except that the profile may be skipped, each field of it on its own (the
 * citizen's own form and the API keep requiring it).
 */
export const kioskSurveyInput = surveyInput.keys({
  respondent: Joi.object({
    gender: optionalChoice(genders),
    ageBand: optionalChoice(ageBands),
    education: optionalChoice(educations),
    occupation: optionalChoice(occupations),
  }).default({}),
});

export type SurveyInput = {
  unitCode: string;
  serviceCode?: string | null;
  counter?: string | null;
  officerNip?: string | null;
  officerRef?: string | null;
  answers: number[];
  /** Every field present, except at a kiosk, where each may be missing. */
  respondent: {
    gender?: (typeof genders)[number] | null | '';
    ageBand?: (typeof ageBands)[number] | null | '';
    education?: (typeof educations)[number] | null | '';
    occupation?: (typeof occupations)[number] | null | '';
  };
  comment?: string | null;
  formToken?: string | null;
};

/** An Idempotency-Key header: long enough to be unguessable in practice, short enough to index. */
export const idempotencyKey = Joi.string().pattern(/^[\w.:-]{8,128}$/);
