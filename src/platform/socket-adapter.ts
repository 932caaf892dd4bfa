import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import { logger } from './logger.js';

/** The Redis side of the Socket.IO adapter: what the gateway needs to know and to stop. */
export interface RedisLink {
  /** True while both connections are up, i.e. broadcasts reach the other processes. */
  isUp(): boolean;
  close(): Promise<void>;
}

/** Never gives up: every 50 ms doubling to at most 2 s, with jitter so that many processes do not retry in step. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 200);

/**
 * Makes `io` use the Redis adapter (docs/architecture.md#live-fan-out: several processes serve one inbox) with two clients,
 * one to publish and one in subscriber mode. Call it before the namespace is created: a namespace keeps the adapter
 * it was born with.
 *
 * Redis down — at start-up or later — never stops the app: every process keeps delivering to its own sockets, and
 * broadcasts stay local to the process until Redis is back (they are dropped for the other processes, not queued,
 * so an outage cannot grow memory; clients catch up by refetching the inbox). The subscriber keeps its
 * subscriptions queued and restores them on reconnect, so cross-process delivery resumes by itself.
 */
export function useRedisAdapter(io: Server, url: string): RedisLink {
  // The publisher fails fast while disconnected (no offline queue): a broadcast is then local only.
  const pub = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy } });
  const sub = pub.duplicate({ disableOfflineQueue: false });
  const ready = { pub: false, sub: false };
  let warned = false;
  let closing = false;

  for (const [client, role] of [
    [pub, 'pub'],
    [sub, 'sub'],
  ] as const) {
    client.on('ready', () => {
      ready[role] = true;
      if (ready.pub && ready.sub) {
        logger.info({ redis: redactedUrl(url) }, 'Redis adapter connected: broadcasts reach every process');
        warned = false;
      }
    });
    client.on('error', (error: Error) => {
      ready[role] = false;
      // One line per outage, not one per reconnection attempt.
      if (closing || warned) return;
      warned = true;
      logger.warn(
        { err: error, redis: redactedUrl(url) },
        'Redis unreachable: live broadcasts stay within this process until it is back',
      );
    });
    client.on('end', () => (ready[role] = false));
    client.connect().catch(() => {
      // Rejected only when the client is closed before it ever connected; the error event has said why.
    });
  }

  // The adapter fires these without awaiting them; a rejection would otherwise be unhandled and stop the process.
  const log = (command: string) => (error: unknown) => {
    if (!closing) logger.debug({ err: error, command }, 'Redis command failed (Redis unreachable?)');
  };
  guardCommands(pub, ['publish'], log);
  guardCommands(sub, ['subscribe', 'pSubscribe', 'unsubscribe', 'pUnsubscribe'], log);

  io.adapter(createAdapter(pub, sub, { requestsTimeout: 3000 }));

  return {
    isUp: () => ready.pub && ready.sub,
    async close() {
      closing = true;
      pub.destroy();
      sub.destroy();
    },
  };
}

/** Replaces the named methods of a client by versions whose rejections are handed to `onError` and resolve. */
function guardCommands(client: object, names: string[], onError: (command: string) => (error: unknown) => void) {
  const methods = client as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    const original = methods[name]!.bind(client);
    methods[name] = (...args: unknown[]) => new Promise((resolve) => resolve(original(...args))).catch(onError(name));
  }
}

/** The URL without its password, for logs. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://?';
  }
}
