import type { Request, RequestHandler, Response } from 'express';
import { AppError, translateFields, type ErrorCode } from './errors.js';

/**
 * The one way a server-rendered form answers (pages work without JavaScript): on success a flash message and a 303
 * redirect, so a reload does not send the form twice; on an error the person can act on, the same page again with
 * the error's status, the messages beside the fields, the message for the whole form and what they typed.
 */

/** Where to go once the form's change is made, and the flash message to show there (default "Tersimpan"). */
export type FormDone = string | { to: string; flash?: string };

/** What a page re-rendered after a refusal adds to its view model. */
export interface FormErrors {
  /** Field path → translated message. */
  errors: Record<string, string>;
  /** The translated message for the whole form. */
  error: string;
  /** The body as the person sent it, to fill the fields again. */
  values: unknown;
}

export interface FormOptions {
  /** The errors shown on the form; any other goes to the error handler. Validation errors by default. */
  shows?: readonly ErrorCode[];
}

/** Runs a form's use case and answers with a redirect, or with `rerender` given the errors when it is refused. */
export async function submitForm(
  req: Request,
  res: Response,
  useCase: () => Promise<FormDone>,
  rerender: (errors: FormErrors) => unknown,
  { shows = ['validation'] }: FormOptions = {},
): Promise<void> {
  let done: FormDone;
  try {
    done = await useCase();
  } catch (error) {
    if (!(error instanceof AppError) || !shows.includes(error.code)) throw error;
    res.status(error.status);
    await rerender({
      errors: translateFields(req, error),
      error: req.t(error.messageKey, error.params),
      values: req.body,
    });
    return;
  }
  const { to, flash } = typeof done === 'string' ? { to: done, flash: undefined } : done;
  req.session.flash = flash ?? req.t('admin.saved');
  res.redirect(303, to);
}

/**
 * A route for a form: `useCase` makes the change, `model` builds the page's view model (the same builder the GET
 * route renders with), and a refusal renders `view` with that model and the errors.
 */
export function formRoute(
  view: string,
  model: (req: Request) => Promise<object>,
  useCase: (req: Request) => Promise<FormDone>,
  options?: FormOptions,
): RequestHandler {
  return (req, res) =>
    submitForm(
      req,
      res,
      () => useCase(req),
      async (errors) => res.render(view, { ...(await model(req)), ...errors }),
      options,
    );
}
