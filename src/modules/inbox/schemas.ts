import Joi from 'joi';
import type { TypingRequest, WatchRequest } from './events.js';

const ticketId = Joi.string().hex().length(24).required();

export const watchInput = Joi.object<WatchRequest>({ ticketId }).required();

export const typingInput = Joi.object<TypingRequest>({
  ticketId,
  typing: Joi.boolean().strict().required(),
}).required();
