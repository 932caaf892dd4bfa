import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/**
 * Resolves when the page's Socket.IO client has been let into `namespace` (the server's CONNECT packet has arrived:
 * the server joins the socket's rooms before it sends that, so events from then on reach the page). Call it before
 * the navigation that opens the socket; it fails with a clear message after `ms`.
 */
export function liveConnected(page: Page, namespace: string, ms = 15_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no live connection to ${namespace} within ${ms / 1000} s`)), ms);
    page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        if (!String(payload).startsWith(`40${namespace},`)) return;
        clearTimeout(timer);
        resolve();
      }),
    );
  });
}
