/**
 * The surveys module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { surveyRoutes as routes } from './routes.js';
export { surveyRoutes } from './routes.js';
export { issueFormToken, submitSurvey } from './service.js';
export type { SubmitContext } from './service.js';
export { kioskAnswerFigures } from './kiosk-answers.js';
export type { KioskAnswerFigures } from './kiosk-answers.js';
export { INTEGRITY_RULES } from './integrity.js';
export { ageBands, educations, genders, integrityFlags, occupations } from './model.js';
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
export { eachOfficerAnswer, findOfficerAnswer } from './officer-answers.js';
export { purgeSurveyEvidence } from './retention.js';
export type { OfficerAnswer } from './officer-answers.js';

export const surveys: ModuleManifest = {
  name: 'surveys',
  messages: [messages],
  routes: () => [routes()],
};
