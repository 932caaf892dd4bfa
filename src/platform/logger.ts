import { pino } from 'pino';

/** The one logger. Level comes from config at start-up (setLogLevel); JSON lines to stdout. */
export const logger = pino({
  level: process.env.LOG_LEVEL || (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'], remove: true },
});

export function setLogLevel(level: string): void {
  logger.level = level;
}
