/**
 * The accounts module's public face: what other modules may use. Everything else in this folder is internal.
 */
import type { ModuleManifest } from '../../platform/modules.js';
import messages from './messages.js';
import { loadActor as actorMiddleware } from './middleware.js';
import { accountRoutes as routes } from './routes.js';
export { loadActor } from './middleware.js';
export { accountRoutes } from './routes.js';
export type { UserDoc } from './model.js';
export { accountsOfOfficers, createUser, usersWhoCan, usersWithRoleOn } from './service.js';
export { actorForUserId, hashPassword, toActor } from './actors.js';
export { actorForApiToken, countTokensExpiringSoon } from './tokens.js';
export { accountContact, accountIdsMatching, accountIdsOfOfficer, accountNames } from './people.js';
export type { AccountContact } from './people.js';

export const accounts: ModuleManifest = {
  name: 'accounts',
  messages: [messages],
  middleware: [actorMiddleware],
  routes: (config) => [routes(config)],
};
