import type { Express } from 'express';
import { create } from 'express-handlebars';
import path from 'node:path';
import { assetUrl } from './assets.js';
import { dateFormatter, isLocalDate, zoneName } from './calendar.js';
import { formatNumber, t, type Lang } from './i18n.js';
import { viewsDir } from './paths.js';

/** Handlebars with the helpers every page uses; `{{t "key" name=value}}` translates in the request's language. */
export function setupViews(app: Express, cache: boolean): void {
  const hbs = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    helpers: {
      t(key: string, options: { hash: Record<string, unknown>; data: { root: { lang?: Lang } } }) {
        return t(options.data.root.lang ?? 'id', key, options.hash);
      },
      /** A date in the page's language and time zone (`zone=` for one value, else the page's; default WIB). */
      datetime(
        value: unknown,
        options: { hash?: { zone?: string }; data: { root: { lang?: Lang; timeZone?: string } } },
      ) {
        if (!value) return '';
        const lang = options.data.root.lang ?? 'id';
        const timeZone = options.hash?.zone ?? options.data.root.timeZone ?? 'Asia/Jakarta';
        const date = new Date(value as string);
        const text = dateFormatter(lang === 'id' ? 'id-ID' : 'en-GB', {
          dateStyle: 'medium',
          timeStyle: 'short',
          timeZone,
        }).format(date);
        return `${text} ${zoneName(timeZone)}`;
      },
      /** A fingerprinted address for a file under /static, cached for a year: `{{asset "/static/css/app.css"}}`. */
      asset: (urlPath: unknown) =>
        new (hbs.handlebars as unknown as { SafeString: new (text: string) => object }).SafeString(
          typeof urlPath === 'string' ? assetUrl(urlPath) : '',
        ),
      /** A number in the page's language: `{{num value 2}}` gives "91,48" in Indonesian. */
      num(value: unknown, ...rest: unknown[]) {
        const options = rest.pop() as { data: { root: { lang?: Lang } } };
        const places = typeof rest[0] === 'number' ? rest[0] : undefined;
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || !Number.isFinite(number)) return value ?? '';
        return formatNumber(options.data.root.lang ?? 'id', number, places);
      },
      /** A local day ("2026-12-06") in the one date format of the pages: "6 Des 2026". */
      day(value: unknown, options: { data: { root: { lang?: Lang } } }) {
        if (!isLocalDate(value)) return value ?? '';
        return dateFormatter(options.data.root.lang === 'en' ? 'en-GB' : 'id-ID', {
          dateStyle: 'medium',
          timeZone: 'UTC',
        }).format(new Date(`${value}T00:00:00Z`));
      },
      /** The name people use for a time zone: WIB, WITA, WIT. */
      zone: (value: unknown) => (typeof value === 'string' ? zoneName(value) : ''),
      before: (a: unknown, b: unknown) => Boolean(a && b) && new Date(a as string) < new Date(b as string),
      iso: (value: unknown) => (value ? new Date(value as string).toISOString() : ''),
      range: (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index),
      or: (...values: unknown[]) => values.slice(0, -1).some(Boolean),
      array: (...values: unknown[]) => values.slice(0, -1),
      eq: (a: unknown, b: unknown) => a !== undefined && a !== null && String(a) === String(b),
      concat: (...parts: unknown[]) => parts.slice(0, -1).join(''),
      json: (value: unknown) => JSON.stringify(value),
      join: (values: unknown, separator: unknown) =>
        Array.isArray(values) ? values.join(typeof separator === 'string' ? separator : ', ') : '',
    },
  });
  app.engine('.hbs', hbs.engine);
  app.set('view engine', '.hbs');
  app.set('views', viewsDir);
  if (cache) app.enable('view cache');
}
