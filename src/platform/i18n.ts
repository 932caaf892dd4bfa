import type { NextFunction, Request, Response } from 'express';
import platform from './locales/messages.js';

export const languages = ['id', 'en'] as const;
export type Lang = (typeof languages)[number];

/** A module's strings: Bahasa Indonesia first; English has every key (the i18n spec checks it). */
export interface MessageBundle {
  id: Record<string, string>;
  en: Record<string, string>;
}

/** The platform's own keys; modules add theirs at start-up through their manifests (platform/modules.ts). */
export type MessageKey = keyof typeof platform.id;

const registered: MessageBundle[] = [platform];
const dictionaries: Record<Lang, Record<string, string>> = { id: { ...platform.id }, en: { ...platform.en } };

/** Adds bundles to the dictionaries; a bundle given twice is added once. */
export function registerMessages(...bundles: MessageBundle[]): void {
  for (const bundle of bundles) {
    if (registered.includes(bundle)) continue;
    registered.push(bundle);
    Object.assign(dictionaries.id, bundle.id);
    Object.assign(dictionaries.en, bundle.en);
  }
}

/** Every bundle registered so far, the platform's first. */
export function messageBundles(): readonly MessageBundle[] {
  return registered;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** Translates a key, filling {name} placeholders. Unknown keys come back as the key, so a gap is visible. */
export function t(lang: Lang, key: MessageKey | string, params: Record<string, unknown> = {}): string {
  const template = dictionaries[lang][key] ?? dictionaries.id[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * The one number format for people: a decimal comma and dot thousands in Indonesian ("91,48", "1.250"), the
 * reverse in English; '' for a missing value. Files for machines (CSV, JSON) keep plain numbers.
 */
export function formatNumber(lang: Lang, value: number | null | undefined, places?: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  const key = `${lang}:${places ?? 'as-is'}`;
  let format = numberFormats.get(key);
  if (!format) {
    // Without `places`, the decimals the value already has (up to 4): a figure rounded upstream stays as rounded.
    format = new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
      minimumFractionDigits: places ?? 0,
      maximumFractionDigits: places ?? 4,
    });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/** Picks the first supported language of an Accept-Language header, by quality. */
export function langFromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { base: (tag ?? '').trim().toLowerCase().split('-')[0], q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.base).find(isLang);
}

declare module 'express-serve-static-core' {
  interface Request {
    lang: Lang;
    t: (key: MessageKey | string, params?: Record<string, unknown>) => string;
  }
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Language of the request: `?lang=` (remembered in a cookie, which is how the visible switch works without
 * JavaScript), then the `lang` cookie, then Accept-Language, then Bahasa Indonesia.
 */
export function languageMiddleware(req: Request, res: Response, next: NextFunction): void {
  const fromQuery = typeof req.query.lang === 'string' && isLang(req.query.lang) ? req.query.lang : undefined;
  if (fromQuery) res.cookie('lang', fromQuery, { maxAge: YEAR_MS, sameSite: 'lax', httpOnly: true });
  const fromCookie: unknown = req.cookies?.lang;
  req.lang =
    fromQuery ??
    (isLang(fromCookie) ? fromCookie : undefined) ??
    langFromAcceptLanguage(req.get('accept-language')) ??
    'id';
  req.t = (key, params) => t(req.lang, key, params);
  res.locals.lang = req.lang;
  res.locals.otherLang = req.lang === 'id' ? 'en' : 'id';
  // The switch keeps the page and its query (a QR link's unit, counter and officer; a tracking token).
  const here = new URL(req.originalUrl, 'http://suara.invalid');
  here.searchParams.delete('_csrf');
  here.searchParams.set('lang', res.locals.otherLang);
  res.locals.langSwitchUrl = here.pathname + here.search;
  next();
}
