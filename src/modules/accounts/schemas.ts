import Joi from 'joi';
import { roles } from './model.js';

export const email = Joi.string().trim().lowercase().email({ tlds: false }).max(200);

export const loginInput = Joi.object({
  email: email.required(),
  password: Joi.string().min(1).max(200).required(),
});

export const createUserInput = Joi.object({
  email: email.required(),
  name: Joi.string().trim().min(2).max(200).required(),
  password: Joi.string().min(10).max(200).required(),
  role: Joi.string()
    .valid(...roles)
    .required(),
  unitCode: Joi.string().trim().uppercase().max(40).allow('', null),
  officerNip: Joi.string().trim().max(40).allow('', null),
});

export const createTokenInput = Joi.object({ name: Joi.string().trim().min(2).max(100).required() });
