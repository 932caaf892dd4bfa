import type { Request, Response } from 'express';
import { submitForm } from '../../platform/forms.js';
import { scopeOf } from '../../platform/access.js';
import { activeAgencies } from '../directory/index.js';
import { activeCategories } from '../feedback/index.js';

/**
 * What the coaching work's pages share: category names in the page's language, and the way a form post is run (a
 * refusal the person can act on re-renders the form with what they typed). Pages work without JavaScript
 * (public/js/coaching-work.js only adds rows of actions).
 */

/** Category code → its name in the page's language: every active one, or those an agency uses when it is named. */
export async function categoryNames(req: Request, agencyCode?: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await activeCategories(agencyCode)).map((category) => [category.code, category.name?.[req.lang] ?? category.code]),
  );
}

type RenderForm = (req: Request, res: Response, extra?: object) => Promise<void>;

/** A coaching page's form post, through the one form helper: a flash and a redirect, or the form again on a refusal. */
export const pageAction =
  (work: (req: Request) => Promise<string>, render: RenderForm, flashKey: string) => (req: Request, res: Response) =>
    submitForm(
      req,
      res,
      async () => ({ to: await work(req), flash: req.t(flashKey) }),
      (refused) => render(req, res, refused),
      { shows: ['validation', 'conflict'] },
    );

/** A form field that may come once or repeated, as a list. */
export const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

/** The form's fields without the CSRF token (and `drop`), empty ones left out. */
export function withoutCsrf(body: unknown, drop: string[] = []): Record<string, unknown> {
  const rest = { ...((body ?? {}) as Record<string, unknown>) };
  for (const key of ['_csrf', ...drop]) delete rest[key];
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== ''));
}

/**
 * A platform administrator (a grant everywhere) who opens an agency's page without naming the agency is asked which
 * one, instead of being refused; true when that page was shown.
 */
export async function choseNoAgency(req: Request, res: Response, heading: string): Promise<boolean> {
  const agency: unknown = req.body?.agency ?? req.query.agency;
  if ((typeof agency === 'string' && agency) || scopeOf(req.actor, 'directory.manage') !== 'all') return false;
  res.render('pages/admin/choose-agency', {
    title: heading,
    heading,
    path: req.path,
    agencies: await activeAgencies(),
  });
  return true;
}
