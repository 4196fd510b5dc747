export type { Account, AccountStatus, ApiKey, IdentityService, Principal } from './types.js';
export { createIdentity, isAccountStatus } from './identity-service.js';
export type { Identity, IdentityOptions } from './identity-service.js';
export { identityMigrations } from './migrations.js';
export { handleIdentityRequest } from './routes.js';
export { isIdentityPath, matchIdentityPath } from './identity-path.js';
export type { IdentityPath } from './identity-path.js';
export { accountJson, keyJson } from './representations.js';
/** The same handler under the name the design notes use. */
export { handleIdentityRequest as identityRoutes } from './routes.js';
