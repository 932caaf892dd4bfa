/**
 * The accounts module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { loadActor, requireActor } from './middleware.js';
export { accountRoutes } from './routes.js';
export { auditRoutes } from './audit-routes.js';
export { assertCan, can, scopeOf } from './permissions.js';
export type { Action, Actor, Scoped } from './permissions.js';
export { User } from './model.js';
export type { Role, UserDoc } from './model.js';
export {
  accountsOfOfficers,
  actorForUserId,
  createUser,
  hashPassword,
  recordAudit,
  toActor,
  usersWhoCan,
  usersWithRoleOn,
} from './service.js';
export { accountContact, accountIdsOfOfficer } from './people.js';
export type { AccountContact } from './people.js';
