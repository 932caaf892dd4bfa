/**
 * The home module's public face: what other modules may use. Everything else in this folder is internal.
 */
export { homeRoutes } from './routes.js';
