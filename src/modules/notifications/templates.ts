import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { create } from 'express-handlebars';
import { t, type Lang } from '../../platform/i18n.js';
import { viewsDir } from '../../platform/paths.js';
import type { MailTemplate } from './model.js';

/**
 * Mail templates: views/mail/<template>.<lang>.hbs, written once per language as the plain-text mail. The first
 * line is `Subject: …`, then a blank line, then the text. The HTML part is made from the rendered text (paragraphs
 * on blank lines, the tracking link as a link) inside views/mail/layout.html.hbs, so both parts always say the
 * same thing and every character of data is escaped in HTML by construction. No images, no remote content.
 */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const mailDir = path.join(viewsDir, 'mail');
// An isolated Handlebars environment: the same library the pages use, without their helpers and partials.
const handlebars = (create().handlebars as unknown as typeof Handlebars).create();
handlebars.registerHelper(
  't',
  (key: string, options: { hash: Record<string, unknown>; data: { root: { lang?: Lang } } }) =>
    t(options.data.root.lang ?? 'id', key, options.hash),
);

interface CompiledMail {
  subject: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
}

const compiled = new Map<string, Promise<CompiledMail>>();
let layout: Promise<HandlebarsTemplateDelegate> | undefined;

async function load(template: MailTemplate, lang: Lang): Promise<CompiledMail> {
  const file = path.join(mailDir, `${template}.${lang}.hbs`);
  const source = (await readFile(file, 'utf8')).replace(/\r\n/g, '\n');
  const match = /^Subject:[ \t]*(.+)\n\n([\s\S]*)$/.exec(source);
  if (!match) throw new Error(`${file}: the first line must be "Subject: …", then a blank line`);
  // Plain text is not HTML: no entity escaping here; the HTML part escapes everything itself.
  return {
    subject: handlebars.compile(match[1]!, { noEscape: true }),
    text: handlebars.compile(match[2]!, { noEscape: true }),
  };
}

function templateFor(template: MailTemplate, lang: Lang): Promise<CompiledMail> {
  const key = `${template}.${lang}`;
  let entry = compiled.get(key);
  if (!entry) {
    entry = load(template, lang);
    entry.catch(() => compiled.delete(key)); // a missing file is retried after it is fixed, not cached as broken
    compiled.set(key, entry);
  }
  return entry;
}

/** One piece of an HTML line: text to escape, the tracking link, or a line break. */
type Piece = { text: string } | { link: string } | { br: true };

/** Blank-line paragraphs; within one, line breaks; the tracking link (exactly as given) becomes a link. */
function htmlParagraphs(text: string, link: string | undefined): Piece[][] {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) =>
      paragraph.split('\n').flatMap((line, index): Piece[] => {
        const parts: Piece[] = index > 0 ? [{ br: true }] : [];
        const chunks = link ? line.split(link) : [line];
        chunks.forEach((chunk, at) => {
          if (at > 0) parts.push({ link: link! });
          if (chunk) parts.push({ text: chunk });
        });
        return parts;
      }),
    );
}

/** Renders a mail in one language from its data (the variables: code, trackUrl, unitName, kindLabel, statusLabel, body). */
export async function renderMail(
  template: MailTemplate,
  lang: Lang,
  data: Record<string, unknown>,
): Promise<RenderedMail> {
  const mail = await templateFor(template, lang);
  const context = { ...data, lang };
  const subject = mail.subject(context).replace(/\s+/g, ' ').trim();
  const body = mail
    .text(context)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const footer = t(lang, 'notifications.mail.footer');
  layout ??= readFile(path.join(mailDir, 'layout.html.hbs'), 'utf8').then((source) => handlebars.compile(source));
  const trackUrl = typeof data.trackUrl === 'string' && data.trackUrl ? data.trackUrl : undefined;
  const html = (await layout)({ lang, subject, paragraphs: htmlParagraphs(body, trackUrl), footer });
  // "-- " is the signature separator mail programs recognise (and fold away).
  return { subject, text: `${body}\n\n-- \n${footer}\n`, html };
}
