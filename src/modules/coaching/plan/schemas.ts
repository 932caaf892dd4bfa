import Joi from 'joi';

/** The coach's decision on a suggestion, always with a reason. */
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
