import { Router, type Request, type Response } from 'express';
import { formatLocalDate, isLocalDate } from '../../platform/calendar.js';
import { submitForm } from '../../platform/forms.js';
import { validate, describe } from '../../platform/validate.js';
import { requireActor } from '../../platform/access.js';
import { holidayKinds } from './model.js';
import { yearQuery, holidayInput, holidaysQuery } from './schemas.js';
import { addHoliday, currentYear, listHolidays, listPublicHolidays, removeHoliday } from './service.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  getHolidays: describe({
    summary: 'Public holidays and collective leave of a year, national or of an agency',
    query: holidaysQuery,
  }),
  postHolidays: describe({ summary: 'Add a holiday or collective leave day', body: holidayInput, status: 201 }),
  deleteHolidaysId: describe({ summary: 'Remove a holiday', status: 204 }),
};

const locales = { id: 'id-ID', en: 'en-GB' } as const;

/** The year a page is about: of the date typed in the form, else the validated `?year=`, else this year. */
function yearOf(req: Request, res: Response): number {
  const date = (req.body as { date?: unknown } | undefined)?.date;
  if (isLocalDate(date)) return Number(date.slice(0, 4));
  return (res.locals.query as { year?: number } | undefined)?.year ?? currentYear();
}

async function renderHolidays(req: Request, res: Response, year: number, extra: object = {}) {
  const view = await listHolidays(req.actor!, year);
  const lang = req.lang;
  res.render('pages/calendar/holidays', {
    title: req.t('holiday.title'),
    ...view,
    holidays: view.holidays.map((holiday) => ({
      ...holiday,
      displayDate: formatLocalDate(holiday.date, locales[lang]),
      displayName: lang === 'en' ? holiday.name : holiday.name_id,
      kindLabel: req.t(`holiday.kind.${holiday.kind}`),
    })),
    kinds: holidayKinds
      .filter((kind) => (kind === 'local' ? view.agencies.length > 0 : view.canAddNational))
      .map((kind) => ({ value: kind, label: req.t(`holiday.kind.${kind}`) })),
    previousYear: year - 1,
    nextYear: year + 1,
    ...extra,
  });
}

export function calendarRoutes(): Router {
  const router = Router();

  // Public: holidays are public information (docs/domain.md#working-days).
  router.get('/api/v1/holidays', docs.getHolidays, async (req, res) => {
    res.json(await listPublicHolidays(req.query));
  });

  // Staff API for integrations (session with X-CSRF-Token, or an API token).
  router.post('/api/v1/holidays', docs.postHolidays, requireActor, async (req, res) => {
    res.status(201).json(await addHoliday(req.actor!, req.body));
  });
  router.delete('/api/v1/holidays/:id', docs.deleteHolidaysId, requireActor, async (req, res) => {
    await removeHoliday(req.actor!, String(req.params.id));
    res.status(204).end();
  });

  // Admin page.
  router.get('/admin/holidays', requireActor, validate({ query: yearQuery }), async (req, res) => {
    await renderHolidays(req, res, yearOf(req, res));
  });
  router.post('/admin/holidays', requireActor, (req, res) =>
    submitForm(
      req,
      res,
      async () => {
        const holiday = await addHoliday(req.actor!, req.body);
        return { to: `/admin/holidays?year=${holiday.date.slice(0, 4)}`, flash: req.t('holiday.added') };
      },
      ({ values, errors }) => renderHolidays(req, res, yearOf(req, res), { values, errors }),
    ),
  );
  router.post('/admin/holidays/:id/delete', requireActor, async (req, res) => {
    const { date } = await removeHoliday(req.actor!, String(req.params.id));
    req.session.flash = req.t('holiday.removed');
    res.redirect(303, `/admin/holidays?year=${date.slice(0, 4)}`);
  });

  return router;
}
