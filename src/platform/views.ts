import type { Express } from 'express';
import { create } from 'express-handlebars';
import path from 'node:path';
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
