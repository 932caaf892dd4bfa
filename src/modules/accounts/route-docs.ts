import Joi from 'joi';
import { roles } from '../../platform/access.js';
import { csvFileBody } from '../../platform/openapi.js';
import { describe } from '../../platform/validate.js';
import {
  createTokenInput,
  createUserInput,
  forgotPasswordInput,
  loginInput,
  resetPasswordInput,
  updateUserInput,
} from './schemas.js';

/** What the API document (GET /api/v1/openapi.json) says of the accounts module's JSON routes (routes.ts). */
export const docs = {
  postAuthLogin: describe({
    summary: 'Sign in with e-mail and password: starts a session and answers its CSRF token',
    body: loginInput,
    rateLimited: true,
    response: Joi.object({
      csrfToken: Joi.string().required(),
      user: Joi.object({
        email: Joi.string().required(),
        name: Joi.string().required(),
        grants: Joi.array()
          .items(
            Joi.object({
              role: Joi.string().valid(...roles),
              unitId: Joi.string().allow(null),
              unitCode: Joi.string().allow(null),
            }),
          )
          .required(),
      }).required(),
    }),
  }),
  postAuthLogout: describe({ summary: 'Sign out: ends the session' }),
  getAuthMe: describe({ summary: 'The signed-in person: name, e-mail, roles, and the session’s CSRF token' }),
  postAuthForgotPassword: describe({
    summary: 'Ask for a password reset link by e-mail (the same answer for every address)',
    body: forgotPasswordInput,
    status: 202,
    rateLimited: true,
  }),
  postAuthPasswordReset: describe({
    summary: 'Set a new password with the token from a reset link',
    body: resetPasswordInput,
    status: 204,
    rateLimited: true,
  }),
  getAuthTokens: describe({
    summary: 'List API tokens: one’s own, or an account’s for an admin',
    query: Joi.object({ userId: Joi.string().max(40) }),
  }),
  postAuthTokens: describe({
    summary: 'Make an API token; its secret is in this answer only',
    body: createTokenInput,
    status: 201,
    response: Joi.object({
      token: Joi.string().required().description('The secret, shown this once: send it as `Authorization: Bearer …`'),
      id: Joi.string().required(),
      name: Joi.string().required(),
      prefix: Joi.string().required(),
      role: Joi.string()
        .valid(...roles)
        .allow(null)
        .description('The first grant’s role (tokens made before tokens carried several grants)'),
      unitCode: Joi.string().allow(null),
      grants: Joi.array().items(Joi.object({ role: Joi.string().valid(...roles), unitCode: Joi.string().allow(null) })),
      expiresAt: Joi.date().allow(null),
      expired: Joi.boolean(),
      lastUsedAt: Joi.date().allow(null),
      revokedAt: Joi.date().allow(null),
      createdAt: Joi.date().allow(null),
    }),
  }),
  deleteAuthTokensId: describe({ summary: 'Revoke an API token' }),
  getAdminTokens: describe({ summary: 'Every API token of the accounts an admin manages' }),
  getAccounts: describe({ summary: 'List staff accounts in the admin’s scope' }),
  postAccounts: describe({ summary: 'Create a staff account with one role', body: createUserInput, status: 201 }),
  postAccountsImport: describe({
    summary: 'Import staff accounts from a CSV file; each gets a link to set a password',
    body: csvFileBody,
    bodyTypes: ['multipart/form-data'],
  }),
  getAccountsId: describe({ summary: 'One staff account' }),
  patchAccountsId: describe({
    summary: 'Change a staff account: name, linked officer, roles, disabled, digest',
    body: updateUserInput,
  }),
  postAccountsIdPasswordReset: describe({ summary: 'Send an account a password reset link', status: 202 }),
};
