import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { useRedisAdapter } from '../../src/platform/socket-adapter.js';
import { attachInboxGateway, staffSocketOptions, type InboxGateway } from '../../src/modules/inbox/gateway.js';
import { sessionMiddleware } from '../../src/platform/session.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { PASSWORD } from '../helpers/app.js';

/**
 * The app as it runs: `createApp` and the inbox gateway on one real HTTP server on an ephemeral port, with the
 * same session middleware settings on both sides, and real socket.io-client connections signed in by the cookie
 * that `POST /api/v1/auth/login` sets.
 */
export const SESSION_SECRET = 'inbox-test-secret-'.padEnd(48, 'x');

export interface LiveServer {
  baseUrl: string;
  gateway: InboxGateway;
  close(): Promise<void>;
}

export async function startLiveServer(options: { redisUrl?: string; sessionCheckMs?: number } = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-inbox-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
  await ensureReferenceData();
  const http: HttpServer = createServer(createApp({ config, sessionSecret: SESSION_SECRET }));
  const io = new Server(http, { serveClient: false, ...staffSocketOptions });
  // Several processes: the adapter first, as the server sets it before any namespace exists.
  const redis = options.redisUrl ? useRedisAdapter(io, options.redisUrl) : undefined;
  const gateway = attachInboxGateway(io, {
    sessionMiddleware: sessionMiddleware(config, SESSION_SECRET),
    sessionCheckMs: options.sessionCheckMs,
    publicUrl: config.publicUrl,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    baseUrl,
    gateway,
    async close() {
      await gateway.close();
      await redis?.close();
      const closing = io.close(); // closes the HTTP server too, once its kept-alive connections are gone
      http.closeAllConnections();
      await closing;
    },
  } satisfies LiveServer;
}

export interface Session {
  cookie: string;
  csrfToken: string;
}

/** Signs in through the JSON API and keeps the session cookie, as a browser would. */
export async function signIn(baseUrl: string, email: string, password = PASSWORD): Promise<Session> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200)
    throw new Error(`sign-in of ${email} answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .find((pair) => pair.startsWith('suara.sid='));
  if (!cookie) throw new Error(`sign-in of ${email} set no session cookie`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

export const sockets: ClientSocket[] = [];

/** A staff client on `/staff`, over WebSocket, carrying the session cookie (or none). Closed by `closeSockets`. */
export function staffClient(baseUrl: string, session?: Session, options: { reconnection?: boolean } = {}) {
  const socket = connect(`${baseUrl}/staff`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: options.reconnection ?? false,
    extraHeaders: session ? { cookie: session.cookie } : {},
  });
  sockets.push(socket);
  return socket;
}

export function closeSockets(): void {
  for (const socket of sockets.splice(0)) socket.disconnect();
}

/** Resolves once connected; rejects with the server's refusal, or after ms. */
export function connected(socket: ClientSocket, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    const timer = setTimeout(() => reject(new Error(`not connected within ${ms / 1000} s`)), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Signs in and connects; resolves with the connected socket. */
export async function signedInClient(baseUrl: string, email: string) {
  const session = await signIn(baseUrl, email);
  const socket = staffClient(baseUrl, session);
  await connected(socket);
  return { socket, session };
}

/** Everything a socket receives of one event, from now on. */
export function record<T>(socket: ClientSocket, event: string): T[] {
  const received: T[] = [];
  socket.on(event, (payload: T) => received.push(payload));
  return received;
}

/** Polls check() every 20 ms until it returns something other than undefined; fails after ms, saying what. */
export async function until<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${ms / 1000} s for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Emits a request and resolves with the server's acknowledgement (bounded). */
export function ask<T>(socket: ClientSocket, event: string, payload: unknown, ms = 5000): Promise<T> {
  return socket.timeout(ms).emitWithAck(event, payload) as Promise<T>;
}

export const complaint = (overrides: Record<string, unknown> = {}) => ({
  kind: 'complaint',
  unitCode: 'PKM-KEBUNHANDIL',
  category: 'waiting_time',
  description: 'Saya menunggu tiga jam di loket pendaftaran tanpa kejelasan antrean.',
  privacy: 'anonymous',
  consent: true,
  ...overrides,
});

/** Files a ticket as a citizen does (no cookie); resolves with the tracking code. */
export async function fileTicket(baseUrl: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/tickets`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(complaint(overrides)),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) throw new Error(`filing answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { code: string }).code;
}
