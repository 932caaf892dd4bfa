import type { Request, Response } from 'express';
import { lookupHash } from '../../platform/crypto.js';
import { findPublicUnit, listPublicOfficers, officerGoneFrom, openingHoursOf, weekOf } from '../directory/index.js';
import { activeCategories } from './categories.js';
import { newStagingId, stagedFiles } from './staged-uploads.js';
import { kinds, privacies } from './statuses.js';
import { AppError } from '../../platform/errors.js';

/** The public feedback form as a page: what it shows, and the summary of mistakes linked to their fields. */

/** Where each error path is shown on the form, for the summary's links. */
const anchorOf: Record<string, string> = {
  kind: 'kind-complaint',
  serviceCode: 'serviceCode',
  counter: 'counter',
  officerRef: 'officerRef',
  category: 'category',
  description: 'description',
  occurredAt: 'occurredAt',
  waitMinutes: 'waitMinutes',
  attachments: 'attachments',
  'reporter.name': 'name',
  'reporter.email': 'email',
  'reporter.phone': 'phone',
  privacy: 'privacy-public',
  consent: 'consent',
};
/** The summary lists mistakes in the order the page shows their fields. */
const pageOrder = (path: string) => {
  const at = Object.keys(anchorOf).indexOf(path);
  return at < 0 ? -1 : at;
};
const labelOf: Record<string, string> = {
  kind: 'feedback.kind',
  serviceCode: 'feedback.service',
  counter: 'feedback.counter',
  officerRef: 'feedback.officer',
  category: 'feedback.category',
  description: 'feedback.description',
  occurredAt: 'feedback.occurred_at',
  waitMinutes: 'feedback.wait_minutes',
  attachments: 'feedback.attachments',
  'reporter.name': 'feedback.name',
  'reporter.email': 'feedback.email',
  'reporter.phone': 'feedback.phone',
  privacy: 'feedback.privacy',
};

const sizeLabel = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/** The public form's view model: the unit, its officers and categories, what was typed, the staged files, the errors. */
export async function intakeFormModel(
  req: Request,
  values: Record<string, unknown>,
  extra: { errors?: Record<string, string>; stagingId?: string; [key: string]: unknown } = {},
) {
  const unit = await findPublicUnit(String(req.params.unitCode));
  if (!unit) throw new AppError('not_found', 'feedback.unknown_unit');
  const stagingId = extra.stagingId ?? newStagingId();
  const officerRef = typeof values.officerRef === 'string' ? values.officerRef : undefined;
  const [officers, categories, staged, officerGone, hours] = await Promise.all([
    listPublicOfficers(unit.code),
    activeCategories(unit.agencyCode),
    extra.stagingId ? stagedFiles(extra.stagingId) : [],
    // From the directory: whether the poster's officer left (partials/officer-gone), the hours (partials/opening-hours).
    officerGoneFrom(officerRef, unit.code),
    openingHoursOf(unit.code),
  ]);
  const errors = extra.errors ?? {};
  return {
    title: req.t('feedback.title'),
    unit,
    officers,
    categories: categories.map((category) => ({
      code: category.code,
      name: category.name?.[req.lang] ?? category.code,
      kinds: category.kinds,
    })),
    kinds,
    privacies,
    values,
    // A fresh token per rendering: a double tap sends the same token, so it files one ticket.
    formToken: values.formToken ?? lookupHash(`form:${Date.now()}:${Math.random()}`).slice(0, 32),
    officerGone,
    openingWeek: weekOf(hours),
    ...extra,
    stagingId,
    staged: staged.map((file) => ({
      ...file,
      name: file.name || req.t('feedback.attachment'),
      sizeLabel: sizeLabel(file.size),
    })),
    errorSummary: Object.entries(errors)
      .sort(([a], [b]) => pageOrder(a) - pageOrder(b))
      .map(([path, message]) => ({
        href: `#${anchorOf[path] ?? 'intake-form'}`,
        label: labelOf[path] ? req.t(labelOf[path]) : '',
        message,
      })),
  };
}

export const renderForm = async (
  req: Request,
  res: Response,
  values: Record<string, unknown>,
  extra: Parameters<typeof intakeFormModel>[2] = {},
) => res.render('pages/feedback/form', await intakeFormModel(req, values, extra));
