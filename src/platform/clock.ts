/**
 * The time read where a spec would otherwise have to wait for the real one (kept answers and lookups, API token
 * expiry), so that the spec can move it on instead. Only this clock moves: moving `Date.now` itself would also move
 * the database driver's liveness check, and every request would then get 503.
 */
export const clock = { now: (): number => Date.now() };
