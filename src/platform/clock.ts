/**
 * The time that code with a time to live reads (kept answers and lookups), so that a spec can move it on instead of
 * sleeping through it. Only this clock moves: moving `Date.now` itself would also move the database driver's
 * liveness check, and every request would then get 503.
 */
export const clock = { now: (): number => Date.now() };
