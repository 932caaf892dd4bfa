import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Response } from 'express';
import { publicDir } from './paths.js';

const require = createRequire(import.meta.url);

/** Browser files served from packages rather than public/ (same origin, so the CSP allows them). */
export const vendorFiles: Record<string, string> = {
  // The package exports only its entry point, so find the client bundle beside it.
  '/static/vendor/socket.io.min.js': path.join(
    path.dirname(require.resolve('socket.io/package.json')),
    'client-dist',
    'socket.io.min.js',
  ),
  '/static/vendor/chart.umd.min.js': path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};

/** A fingerprinted asset is cached for a year; anything else for five minutes, then revalidated. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT = 'public, max-age=300';

const fingerprints = new Map<string, { mtimeMs: number; size: number; hash: string }>();

function fileOf(urlPath: string): string | undefined {
  if (vendorFiles[urlPath]) return vendorFiles[urlPath];
  if (!urlPath.startsWith('/static/')) return undefined;
  const file = path.join(publicDir, path.normalize(urlPath.slice('/static/'.length)));
  return file.startsWith(publicDir + path.sep) ? file : undefined;
}

/**
 * `/static/css/app.css` → `/static/css/app.css?v=<content hash>`: a changed file gets a new address, so browsers
 * may keep each version for a year. The hash is recomputed only when the file's time or size changes.
 */
export function assetUrl(urlPath: string): string {
  const file = fileOf(urlPath);
  if (!file) return urlPath;
  try {
    const { mtimeMs, size } = statSync(file);
    let known = fingerprints.get(file);
    if (!known || known.mtimeMs !== mtimeMs || known.size !== size) {
      const hash = createHash('sha256').update(readFileSync(file)).digest('base64url').slice(0, 12);
      known = { mtimeMs, size, hash };
      fingerprints.set(file, known);
    }
    return `${urlPath}?v=${known.hash}`;
  } catch {
    return urlPath;
  }
}

/** Caching for a static answer: long and immutable when the address carries a fingerprint. */
export function setAssetCaching(res: Response): void {
  res.setHeader('Cache-Control', typeof res.req.query.v === 'string' ? IMMUTABLE : SHORT);
}
