/**
 * The surveys module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { surveyRoutes } from './routes.js';
export { submitSurvey } from './service.js';
export { SurveyResponse, ageBands, educations, genders, integrityFlags, occupations } from './model.js';
export type { IntegrityFlag, SurveyResponseDoc } from './model.js';
export {
  ELEMENT_COUNT,
  EQUAL_WEIGHTS,
  SKM_ELEMENTS,
  assertWeights,
  computeIkm,
  ikmGrade,
  minimumSample,
  roundTo,
} from './ikm.js';
export type { Grade, SkmElement } from './ikm.js';
export {
  answerFactsById,
  answerFactSlices,
  answerFactsIn,
  answersForExport,
  estimatedAnswerCount,
} from './answer-facts.js';
export type { AnswerFacts, ExportedAnswer } from './answer-facts.js';
