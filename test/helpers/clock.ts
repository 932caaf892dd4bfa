import { clock } from '../../src/platform/clock.js';

/**
 * Stops the platform clock for each of the calling tests, at the real time when the test starts, so that only
 * `advance` moves it (not a slow machine); the real clock is back after each test.
 */
export function useTestClock(): { advance(ms: number): void } {
  const real = clock.now;
  let now = 0;
  beforeEach(() => {
    now = real();
    clock.now = () => now;
  });
  afterEach(() => {
    clock.now = real;
  });
  return {
    advance(ms: number) {
      now += ms;
    },
  };
}
