import http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { PageSpec } from './scenarios.js';

export interface AssetWeight {
  url: string;
  kind: 'html' | 'css' | 'js' | 'image' | 'font' | 'other';
  status: number;
  rawBytes: number;
  gzipBytes: number;
  /** Bytes on the wire when the browser accepts gzip and br, as Suara sends them. */
  sentBytes: number;
}

export interface PageWeight {
  name: string;
  path: string;
  status: number;
  /** The page and everything it references, once each. */
  files: AssetWeight[];
  rawBytes: number;
  gzipBytes: number;
  /** The page and its files as sent to a browser that accepts compression. */
  sentBytes: number;
  budgetBytes: number;
  /** Judged on the bytes sent, compressed when Suara compresses (see servedCompressed). */
  withinBudget: boolean;
  /** Whether Suara answered the HTML gzip-compressed when asked to (if not, raw is what goes over the wire). */
  servedCompressed: boolean;
  scripts: number;
}

/** A plain GET without Accept-Encoding (fetch would ask for gzip and inflate it silently). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`timeout fetching ${url}`)));
    request.on('error', reject);
  });
}

function kindOf(url: string, contentType: string | undefined): AssetWeight['kind'] {
  const type = contentType ?? '';
  if (type.includes('text/css') || /\.css(\?|$)/.test(url)) return 'css';
  if (type.includes('javascript') || /\.m?js(\?|$)/.test(url)) return 'js';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('font/') || /\.(woff2?|ttf|otf)(\?|$)/.test(url)) return 'font';
  return 'other';
}

const attribute = (tag: string, name: string) =>
  new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')
    .exec(tag)
    ?.slice(1)
    .find((v) => v !== undefined);

/** Same-origin files a page loads on its own: stylesheets, scripts, images, icons, preloads. */
function referencedByHtml(html: string): string[] {
  const found: string[] = [];
  for (const [tag] of html.matchAll(/<(?:link|script|img|source)\b[^>]*>/gi)) {
    const name = /^<(\w+)/.exec(tag)![1]!.toLowerCase();
    if (name === 'link') {
      const rel = (attribute(tag, 'rel') ?? '').toLowerCase();
      if (/\b(stylesheet|icon|preload|modulepreload)\b/.test(rel)) found.push(attribute(tag, 'href') ?? '');
    } else {
      found.push(attribute(tag, 'src') ?? '');
    }
  }
  return found;
}

/** url(...) and @import in a stylesheet (fonts, background images). */
function referencedByCss(css: string): string[] {
  const found: string[] = [];
  for (const match of css.matchAll(
    /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi,
  ))
    found.push(match.slice(1).find((value) => value !== undefined) ?? '');
  return found.filter((ref) => ref && !ref.startsWith('data:'));
}

function sameOrigin(ref: string, base: URL): URL | undefined {
  if (!ref || ref.startsWith('data:')) return undefined;
  const url = new URL(ref, base);
  return url.origin === base.origin ? url : undefined;
}

export async function weighPage(baseUrl: string, page: PageSpec, budgetBytes: number): Promise<PageWeight> {
  const pageUrl = new URL(page.path, baseUrl);
  const [html, compressed] = await Promise.all([
    get(pageUrl.href, { 'accept-language': 'id' }),
    get(pageUrl.href, { 'accept-language': 'id', 'accept-encoding': 'gzip, br' }),
  ]);
  const files: AssetWeight[] = [
    {
      url: page.path,
      kind: 'html',
      status: html.status,
      rawBytes: html.body.length,
      gzipBytes: gzipSync(html.body).length,
      sentBytes: compressed.body.length,
    },
  ];
  const seen = new Set<string>([pageUrl.href]);
  const queue = referencedByHtml(html.body.toString('utf8')).map((ref) => sameOrigin(ref, pageUrl));
  let scripts = 0;
  while (queue.length) {
    const url = queue.shift();
    if (!url || seen.has(url.href)) continue;
    seen.add(url.href);
    const [asset, sent] = await Promise.all([get(url.href), get(url.href, { 'accept-encoding': 'gzip, br' })]);
    const kind = kindOf(url.pathname, asset.headers['content-type']);
    if (kind === 'js') scripts++;
    files.push({
      url: url.pathname + url.search,
      kind,
      status: asset.status,
      rawBytes: asset.body.length,
      gzipBytes: gzipSync(asset.body).length,
      sentBytes: sent.body.length,
    });
    if (kind === 'css') queue.push(...referencedByCss(asset.body.toString('utf8')).map((ref) => sameOrigin(ref, url)));
  }
  const rawBytes = files.reduce((sum, file) => sum + file.rawBytes, 0);
  const gzipBytes = files.reduce((sum, file) => sum + file.gzipBytes, 0);
  const sentBytes = files.reduce((sum, file) => sum + file.sentBytes, 0);
  return {
    name: page.name,
    path: page.path,
    status: html.status,
    files,
    rawBytes,
    gzipBytes,
    sentBytes,
    budgetBytes,
    withinBudget: sentBytes <= budgetBytes,
    servedCompressed: Boolean(compressed.headers['content-encoding']),
    scripts,
  };
}
