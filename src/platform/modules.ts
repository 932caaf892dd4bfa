import type { Express, RequestHandler, Router } from 'express';
import type { Server } from 'socket.io';
import type { Config } from '../config.js';
import { registerMessages, type MessageBundle } from './i18n.js';
import { registerGauge, type GaugeSpec } from './metrics.js';

/** A live connection a module serves over Socket.IO; closed on shutdown. */
export interface Gateway {
  close(): Promise<void>;
}

export interface GatewayContext {
  config: Config;
  /** The session middleware the HTTP side uses, so a socket's handshake reads the same session. */
  sessionMiddleware: RequestHandler;
}

/**
 * What a module contributes to the running application: its `index.ts` exports one of these. The application, the
 * server, the scripts and the test setup loop over the ordered list in `src/modules/index.ts` instead of naming
 * modules one by one (docs/architecture.md#module-shape). Every part is optional.
 */
export interface ModuleManifest {
  name: string;
  /** Its strings in both languages. */
  messages?: MessageBundle[];
  /** Settings read once per process from the configuration, before anything else runs. */
  configure?(config: Config): void;
  /** Request middleware every route after the session sees (who is signed in). */
  middleware?: RequestHandler[];
  /** Its routes, mounted in list order. */
  routes?(config: Config): Router[];
  /** Durable projectors and in-process subscribers (platform/event-log.ts, platform/events.ts). */
  subscribers?(): void;
  /** Scheduled jobs (platform/scheduler.ts); each runs on one process at a time. */
  jobs?(config: Config): void;
  /** Socket.IO namespaces. The adapter (this process only, or Redis) is set before any gateway attaches. */
  gateways?(io: Server, context: GatewayContext): Gateway[];
  /** Reference data every deployment needs; idempotent, run at every start, an admin's edits kept. */
  referenceData?(): Promise<void>;
  /** Gauges read at every scrape of `/metrics` (platform/metrics.ts): backlogs and counts only this module knows. */
  metrics?(): GaugeSpec[];
  /** Background work started once the app serves; `stop` ends it first on shutdown. */
  start?(config: Config): void;
  stop?(): Promise<void>;
}

const configured = new WeakSet<ModuleManifest>();
const subscribed = new WeakSet<ModuleManifest>();

/** Strings registered and settings read, once per process and module (safe to call again). */
export function installModules(modules: readonly ModuleManifest[], config?: Config): void {
  for (const module of modules) {
    registerMessages(...(module.messages ?? []));
    if (config && module.configure && !configured.has(module)) {
      module.configure(config);
      configured.add(module);
    }
  }
}

export function useModuleMiddleware(app: Express, modules: readonly ModuleManifest[]): void {
  for (const module of modules) for (const handler of module.middleware ?? []) app.use(handler);
}

/** Which module each mounted router belongs to: the API document groups operations by it (platform/openapi.ts). */
const routerModule = new WeakMap<object, string>();

export function moduleOfRouter(router: object): string | undefined {
  return routerModule.get(router);
}

export function mountModuleRoutes(app: Express, modules: readonly ModuleManifest[], config: Config): void {
  for (const module of modules)
    for (const router of module.routes?.(config) ?? []) {
      routerModule.set(router, module.name);
      app.use(router);
    }
}

/** Subscribers and projectors of every module, once per process. */
export function registerModuleSubscribers(modules: readonly ModuleManifest[]): void {
  for (const module of modules) {
    if (!module.subscribers || subscribed.has(module)) continue;
    module.subscribers();
    subscribed.add(module);
  }
}

export function registerModuleJobs(modules: readonly ModuleManifest[], config: Config): void {
  for (const module of modules) module.jobs?.(config);
}

export function attachModuleGateways(
  modules: readonly ModuleManifest[],
  io: Server,
  context: GatewayContext,
): Gateway[] {
  return modules.flatMap((module) => module.gateways?.(io, context) ?? []);
}

/** In list order: a module's reference data may rely on that of the modules before it. */
export async function ensureModuleReferenceData(modules: readonly ModuleManifest[]): Promise<void> {
  for (const module of modules) await module.referenceData?.();
}

/** Every module's gauges on the process's metrics registry (again: a gauge registered twice replaces itself). */
export function registerModuleMetrics(modules: readonly ModuleManifest[]): void {
  for (const module of modules) for (const gauge of module.metrics?.() ?? []) registerGauge(gauge);
}

export function startModules(modules: readonly ModuleManifest[], config: Config): void {
  for (const module of modules) module.start?.(config);
}

/** In reverse order: what depends on a module stops before it. */
export async function stopModules(modules: readonly ModuleManifest[]): Promise<void> {
  for (const module of [...modules].reverse()) await module.stop?.();
}
