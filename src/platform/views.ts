import type { Express } from 'express';
import { create } from 'express-handlebars';
import path from 'node:path';
import { dateFormatter, zoneName } from './calendar.js';
import { t, type Lang } from './i18n.js';
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
