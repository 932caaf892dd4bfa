import Joi from 'joi';
import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { shedIntakeHere } from '../../platform/backpressure.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { rateLimiter } from '../../platform/security.js';
import { deviceOf, withDevice } from '../../platform/device.js';
import { officerGoneFrom, openingHoursOf, weekOf } from '../directory/index.js';
import { SKM_ELEMENTS } from './ikm.js';
import { ageBands, educations, genders, occupations } from './model.js';
import { idempotencyKey, surveyInput } from './schemas.js';
import { issueFormToken, readFormToken, submitSurvey, surveyFormFor, type SurveyForm } from './service.js';
import { describe } from '../../platform/validate.js';

/** What the API document (GET /api/v1/openapi.json) says of this file's JSON routes. */
const docs = {
  postSurveys: describe({
    summary: 'Answer an SKM survey for a unit (and service, counter, officer)',
    body: surveyInput,
    status: 201,
    idempotent: true,
    rateLimited: true,
    response: Joi.object({ id: Joi.string().required() }),
  }),
};

/** What a person typed into the HTML form, as strings, so that a re-rendered form loses nothing. */
interface FormValues {
  answers: string[];
  gender: string;
  ageBand: string;
  education: string;
  occupation: string;
  serviceCode: string;
  officerRef: string;
  counter: string;
  comment: string;
  formToken: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function formValues(body: Record<string, unknown>): FormValues {
  return {
    answers: SKM_ELEMENTS.map((_, index) => text(body[`answer${index + 1}`])),
    gender: text(body.gender),
    ageBand: text(body.ageBand),
    education: text(body.education),
    occupation: text(body.occupation),
    serviceCode: text(body.serviceCode),
    officerRef: text(body.officerRef),
    counter: text(body.counter),
    comment: text(body.comment),
    formToken: text(body.formToken),
  };
}

/** The form in the API's shape: radio values become numbers; an empty choice is missing, not an empty string. */
function inputFromForm(unitCode: string, values: FormValues) {
  const orUndefined = (value: string) => value || undefined;
  return {
    unitCode,
    serviceCode: orUndefined(values.serviceCode),
    counter: orUndefined(values.counter),
    officerRef: orUndefined(values.officerRef),
    answers: values.answers.map((value) => (/^[1-4]$/.test(value) ? Number(value) : null)),
    respondent: {
      gender: orUndefined(values.gender),
      ageBand: orUndefined(values.ageBand),
      education: orUndefined(values.education),
      occupation: orUndefined(values.occupation),
    },
    comment: values.comment,
    formToken: values.formToken,
  };
}

/** Where each error path is shown on the page, for the summary's links. */
function anchorOf(path: string): string {
  const answer = /^answers\.(\d+)$/.exec(path);
  if (answer) return `q-${Number(answer[1]) + 1}`;
  if (path === 'answers') return 'q-1';
  if (path.startsWith('respondent.')) return path.slice('respondent.'.length);
  return ['serviceCode', 'officerRef', 'comment'].includes(path) ? path : 'survey-form';
}

function labelOf(req: Request, path: string): string {
  const answer = /^answers\.(\d+)$/.exec(path);
  if (answer) {
    const element = SKM_ELEMENTS[Number(answer[1])];
    return element ? `${Number(answer[1]) + 1}. ${req.t(`surveys.element.${element}`)}` : path;
  }
  const labels: Record<string, string> = {
    answers: 'surveys.questions',
    'respondent.gender': 'surveys.gender',
    'respondent.ageBand': 'surveys.age_band',
    'respondent.education': 'surveys.education',
    'respondent.occupation': 'surveys.occupation',
    serviceCode: 'surveys.service',
    officerRef: 'surveys.officer',
    counter: 'surveys.counter',
    comment: 'surveys.comment',
  };
  return labels[path] ? req.t(labels[path]) : '';
}

function formView(
  req: Request,
  form: SurveyForm,
  values: FormValues,
  errors: Record<string, string>,
  formToken: string,
) {
  const options = (codes: readonly string[], prefix: string, selected: string) =>
    codes.map((code) => ({ code, label: req.t(`${prefix}.${code}`), selected: code === selected }));
  return {
    title: req.t('surveys.title'),
    unit: form.unit,
    formToken,
    counter: form.counters.find((counter) => counter.code === values.counter),
    showVisit: form.services.length > 0 || form.officers.length > 0,
    services: form.services.map((service) => ({ ...service, selected: service.code === values.serviceCode })),
    officers: form.officers.map((officer) => ({
      ref: officer.ref,
      name: officer.name,
      position: officer.position,
      selected: officer.ref === values.officerRef,
    })),
    elements: SKM_ELEMENTS.map((element, index) => ({
      number: index + 1,
      name: `answer${index + 1}`,
      title: req.t(`surveys.element.${element}`),
      question: req.t(`surveys.question.${element}`),
      error: errors[`answers.${index}`],
      options: [1, 2, 3, 4].map((value) => ({
        value,
        label: req.t(`surveys.answer.${element}.${value}`),
        checked: values.answers[index] === String(value),
      })),
    })),
    genders: options(genders, 'surveys.gender', values.gender),
    ageBands: options(ageBands, 'surveys.age', values.ageBand),
    educations: options(educations, 'surveys.education', values.education),
    occupations: options(occupations, 'surveys.occupation', values.occupation),
    comment: values.comment,
    errors: {
      gender: errors['respondent.gender'],
      ageBand: errors['respondent.ageBand'],
      education: errors['respondent.education'],
      occupation: errors['respondent.occupation'],
      serviceCode: errors.serviceCode,
      officerRef: errors.officerRef,
      comment: errors.comment,
    },
    errorSummary: Object.entries(errors).map(([path, message]) => ({
      href: `#${anchorOf(path)}`,
      label: labelOf(req, path),
      message,
    })),
  };
}

/** The QR link's choices, each kept only when the unit really has it (a stale poster must not break the form). */
function prefillFrom(req: Request, form: SurveyForm): FormValues {
  const query = (name: string) => text(req.query[name]);
  const service = query('service').toUpperCase();
  const counter = query('counter').toUpperCase();
  const officer = query('officer');
  return {
    ...formValues({}),
    serviceCode: form.services.some((s) => s.code === service)
      ? service
      : form.services.length === 1
        ? form.services[0]!.code
        : '',
    counter: form.counters.some((c) => c.code === counter) ? counter : '',
    officerRef: form.officers.some((o) => o.ref === officer) ? officer : '',
  };
}

const isAlreadyAnswered = (error: unknown): error is AppError =>
  error instanceof AppError && error.code === 'conflict' && error.messageKey === 'surveys.already_answered';

function renderAlreadyAnswered(req: Request, res: Response, form: SurveyForm, error: AppError) {
  res.status(409).render('pages/surveys/answered', {
    title: req.t('surveys.already_title'),
    unit: form.unit,
    message: req.t(error.messageKey, error.params),
    otherServices: form.services.length > 1,
  });
}

/** SKM survey: the public page, its thank-you page, and `POST /api/v1/surveys` (README.md#api). */
export function surveyRoutes(): Router {
  const router = Router();
  // Generous per network (many phones share a carrier NAT or a waiting-room Wi-Fi), tight per device.
  const perNetwork = rateLimiter('survey-ip', 30, 10 * 60_000);
  const perDevice = rateLimiter('survey-device', 6, 60 * 60_000, (req) => `d:${deviceOf(req).hash}`);
  // The page counts accepted answers only, so a person completing a missed question is not counted twice.
  const accepted = (_req: Request, res: Response) => res.statusCode < 400;
  const formPerNetwork = rateLimiter('survey-form-ip', 30, 10 * 60_000, { counts: accepted });
  const formPerDevice = rateLimiter('survey-form-device', 6, 60 * 60_000, {
    key: (req) => `d:${deviceOf(req).hash}`,
    counts: accepted,
  });

  /** A limited or busy submission shows the survey again with every answer kept and when to try again. */
  const showSurveyAgain: ErrorRequestHandler = async (error, req, res, next) => {
    if (!(error instanceof AppError) || ![429, 503].includes(error.status) || res.headersSent) return next(error);
    try {
      const form = await surveyFormFor(String(req.params.unitCode));
      const values = formValues((req.body ?? {}) as Record<string, unknown>);
      const formToken = readFormToken(values.formToken, form.unit.code)
        ? values.formToken
        : issueFormToken(form.unit.code);
      const seconds =
        Number(error.params.retryAfterSeconds) > 0 ? Math.ceil(Number(error.params.retryAfterSeconds)) : 5;
      const retry =
        error.status === 503
          ? req.t('surveys.retry_busy', { seconds })
          : req.t('surveys.retry_limited', { minutes: Math.ceil(seconds / 60) });
      res.set('Retry-After', String(seconds)).status(error.status);
      res.render('pages/surveys/form', { ...formView(req, form, values, {}, formToken), retry });
    } catch (failure) {
      next(failure);
    }
  };

  router.get('/survey/:unitCode', withDevice, async (req, res) => {
    const form = await surveyFormFor(String(req.params.unitCode));
    res.render('pages/surveys/form', {
      ...formView(req, form, prefillFrom(req, form), {}, issueFormToken(form.unit.code)),
      officerGone: await officerGoneFrom(req.query.officer, form.unit.code),
      openingWeek: weekOf(await openingHoursOf(form.unit.code)),
    });
  });

  router.post('/survey/:unitCode', withDevice, shedIntakeHere, formPerNetwork, formPerDevice, async (req, res) => {
    const form = await surveyFormFor(String(req.params.unitCode));
    const values = formValues((req.body ?? {}) as Record<string, unknown>);
    try {
      await submitSurvey(inputFromForm(form.unit.code, values), {
        channel: 'form',
        device: deviceOf(req),
        ip: req.ip,
        requireService: form.services.length > 0,
      });
      res.redirect(303, `/survey/${form.unit.code}/thanks`);
    } catch (error) {
      if (isAlreadyAnswered(error)) return renderAlreadyAnswered(req, res, form, error);
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      const errors = translateFields(req, error);
      // The radios can only be left unanswered (or tampered with): either way, ask for one answer.
      for (const path of Object.keys(errors))
        if (path.startsWith('answers.')) errors[path] = req.t('surveys.answer_required');
      // The first rendered-at time stays, so a correction does not reset the time to complete.
      const formToken = readFormToken(values.formToken, form.unit.code)
        ? values.formToken
        : issueFormToken(form.unit.code);
      res.status(400).render('pages/surveys/form', formView(req, form, values, errors, formToken));
    }
  });

  // Errors of the survey's own post only: a limit or a busy server keeps the answers on the page.
  router.use('/survey/:unitCode', (error: unknown, req: Request, res: Response, next: (error?: unknown) => void) =>
    req.method === 'POST' && req.path === '/' ? showSurveyAgain(error, req, res, next) : next(error),
  );

  router.get('/survey/:unitCode/thanks', async (req, res) => {
    const form = await surveyFormFor(String(req.params.unitCode));
    res.render('pages/surveys/thanks', { title: req.t('surveys.thanks_title'), unit: form.unit });
  });

  router.post('/api/v1/surveys', docs.postSurveys, withDevice, perNetwork, perDevice, async (req, res) => {
    const key = req.get('idempotency-key');
    if (key !== undefined && idempotencyKey.validate(key).error)
      throw AppError.validation({ 'Idempotency-Key': { key: 'surveys.idempotency_key' } });
    const result = await submitSurvey(req.body, {
      channel: 'api',
      device: deviceOf(req),
      ip: req.ip,
      idempotencyKey: key,
      staff: Boolean(req.actor),
    });
    if (result.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(201).json({ id: result.id });
  });

  return router;
}
