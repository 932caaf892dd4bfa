import type { IncomingMessage } from 'node:http';
import { isLang, langFromAcceptLanguage, t, type Lang } from '../../platform/i18n.js';
import messages from './messages.js';

/**
 * The language of a socket, as for a page: the `lang` cookie (the visible switch), then Accept-Language, then
 * Bahasa Indonesia. A WebSocket has no query string of ours to look at.
 */
export function langOfHandshake(request: IncomingMessage): Lang {
  const fromCookie = /(?:^|;\s*)lang=([a-z]{2})(?:;|$)/.exec(request.headers.cookie ?? '')?.[1];
  if (isLang(fromCookie)) return fromCookie;
  return langFromAcceptLanguage(request.headers['accept-language']) ?? 'id';
}

/** Translates with this module's strings first, then the shared ones (error.*, validation.*). */
export function say(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const own = (messages[lang] as Record<string, string>)[key];
  return own ?? t(lang, key, params);
}
