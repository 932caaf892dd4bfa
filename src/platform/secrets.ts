import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * A secret from the environment when set (required in production, see config.ts); otherwise one generated on first
 * start and kept under DATA_DIR with owner-only permissions, so that development survives a restart.
 */
export async function secretFromEnvOrDataDir(
  config: Config,
  fromEnv: string | undefined,
  file: string,
): Promise<string> {
  if (fromEnv) return fromEnv;
  const filePath = path.join(config.dataDir, file);
  try {
    return (await readFile(filePath, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('hex');
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(filePath, secret, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return (await readFile(filePath, 'utf8')).trim();
  }
}

export const sessionSecret = (config: Config) => secretFromEnvOrDataDir(config, config.sessionSecret, 'session-secret');
