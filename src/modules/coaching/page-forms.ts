import type { Request, Response } from 'express';
import { AppError, translateFields } from '../../platform/errors.js';
import { activeCategories } from '../feedback/index.js';

/**
 * What the coaching work's pages share: category names in the page's language, and the way a form post is run (a
 * refusal the person can act on re-renders the form with what they typed). Pages work without JavaScript
 * (public/js/coaching-work.js only adds rows of actions).
 */

/** Category code → its name in the page's language. */
export async function categoryNames(req: Request): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await activeCategories()).map((category) => [category.code, category.name?.[req.lang] ?? category.code]),
  );
}

type RenderForm = (req: Request, res: Response, extra?: object) => Promise<void>;

/** Runs a form post and redirects with a flash; a validation or conflict error re-renders the form instead. */
export const pageAction =
  (work: (req: Request) => Promise<string>, render: RenderForm, flashKey: string) =>
  async (req: Request, res: Response) => {
    try {
      const target = await work(req);
      req.session.flash = req.t(flashKey);
      res.redirect(303, target);
    } catch (error) {
      if (!(error instanceof AppError) || !['validation', 'conflict'].includes(error.code)) throw error;
      res.status(error.status);
      await render(req, res, {
        error: req.t(error.messageKey, error.params),
        errors: translateFields(req, error),
        values: req.body,
      });
    }
  };

/** A form field that may come once or repeated, as a list. */
export const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

/** The form's fields without the CSRF token (and `drop`), empty ones left out. */
export function withoutCsrf(body: unknown, drop: string[] = []): Record<string, unknown> {
  const rest = { ...((body ?? {}) as Record<string, unknown>) };
  for (const key of ['_csrf', ...drop]) delete rest[key];
  return Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== ''));
}
