import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (never a test tool's own download). CI installs it; see .ci/run. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Real Chromium against the real app. Without Chromium on the machine the browser specs are skipped with a
 * visible reason — except under CI, where its absence is a failure.
 */
export function useBrowser(context: Mocha.Suite, app: () => Express) {
  const state: { browser?: Browser; server?: Server; baseUrl: string } = { baseUrl: '' };
  context.beforeAll(async function () {
    this.timeout(60_000);
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI)
        throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
      process.stderr.write(`  (browser specs skipped: no Chromium at ${CHROMIUM}; apt-get install chromium)\n`);
      this.skip();
    }
    state.server = createServer(app());
    await new Promise<void>((resolve) => state.server!.listen(0, '127.0.0.1', resolve));
    state.baseUrl = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
    state.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  context.afterAll(async () => {
    await state.browser?.close();
    state.server?.closeAllConnections();
    await new Promise((resolve) => (state.server ? state.server.close(resolve) : resolve(undefined)));
  });
  return state;
}
