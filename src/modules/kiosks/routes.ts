import { randomBytes } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { requireActor } from '../../platform/access.js';
import { lookupHash } from '../../platform/crypto.js';
import { AppError, translateFields } from '../../platform/errors.js';
import { describe } from '../../platform/validate.js';
import { rateLimiter } from '../../platform/security.js';
import { unitsInScope } from '../directory/index.js';
import { ageBands, educations, genders, issueFormToken, occupations, SKM_ELEMENTS } from '../surveys/index.js';
import { complimentPoints, fileKioskCompliment, kioskOfficers, submitKioskSurvey, surveyInputFrom } from './intake.js';
import { registerKioskInput } from './schemas.js';
import { kioskByKey, kioskUnitsOf, listKiosks, registerKiosk, revokeKiosk, type ActiveKiosk } from './service.js';

/** A kiosk resets itself after this long without a touch (public/js/kiosk.js), and this long after thanking. */
export const IDLE_SECONDS = 60;
export const THANKS_SECONDS = 6;

const docs = {
  getKiosks: describe({ summary: 'The counter kiosks of the units in one’s scope' }),
  postKiosks: describe({
    summary: 'Register a counter kiosk for a unit (and counter); the answer carries its address, shown once',
    body: registerKioskInput,
  }),
  deleteKiosksId: describe({ summary: 'Revoke a counter kiosk: its address stops working at once' }),
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

const kioskOf = (res: Response) => res.locals.kiosk as ActiveKiosk;
const startUrl = (kiosk: ActiveKiosk) => `/kiosk?key=${kiosk.key}`;

/** Finds the kiosk from the key in the query or the form; a revoked or unknown kiosk gets its own clear page. */
async function withKiosk(req: Request, res: Response, next: NextFunction) {
  const found = await kioskByKey(req.method === 'GET' ? req.query.key : body(req).key);
  if (found.state === 'active') {
    res.locals.kiosk = found.kiosk;
    return next();
  }
  const gone = found.state === 'revoked';
  res.status(gone ? 410 : 404).render('pages/kiosks/gone', {
    layout: 'kiosk',
    title: req.t(gone ? 'kiosks.gone_title' : 'kiosks.unknown_title'),
    message: req.t(gone ? 'kiosks.gone' : 'kiosks.unknown'),
  });
}

/** The nine questions with their four answers, and the optional profile, for the kiosk's survey page. */
function surveyView(req: Request, kiosk: ActiveKiosk, values: Record<string, unknown>, errors: Record<string, string>) {
  const options = (codes: readonly string[], prefix: string, name: string) =>
    codes.map((code) => ({ code, label: req.t(`${prefix}.${code}`), checked: text(values[name]) === code }));
  return {
    layout: 'kiosk',
    title: req.t('kiosks.survey_title'),
    kiosk: kioskHead(kiosk),
    resetUrl: startUrl(kiosk),
    idleSeconds: IDLE_SECONDS,
    formToken: text(values.formToken) || issueFormToken(kiosk.unit.code),
    services: kiosk.unit.services
      .filter((service) => service.active)
      .map((service) => ({ ...service, selected: text(values.serviceCode) === service.code })),
    elements: SKM_ELEMENTS.map((element, index) => ({
      number: index + 1,
      name: `answer${index + 1}`,
      title: req.t(`surveys.element.${element}`),
      question: req.t(`surveys.question.${element}`),
      error: errors[`answers.${index}`] ? req.t('surveys.answer_required') : undefined,
      options: [1, 2, 3, 4].map((value) => ({
        value,
        label: req.t(`surveys.answer.${element}.${value}`),
        checked: text(values[`answer${index + 1}`]) === String(value),
      })),
    })),
    profile: [
      { name: 'gender', label: req.t('surveys.gender'), options: options(genders, 'surveys.gender', 'gender') },
      { name: 'ageBand', label: req.t('surveys.age_band'), options: options(ageBands, 'surveys.age', 'ageBand') },
      {
        name: 'education',
        label: req.t('surveys.education'),
        options: options(educations, 'surveys.education', 'education'),
      },
      {
        name: 'occupation',
        label: req.t('surveys.occupation'),
        options: options(occupations, 'surveys.occupation', 'occupation'),
      },
    ],
    comment: text(values.comment),
    hasErrors: Object.keys(errors).length > 0,
    errors,
  };
}

const kioskHead = (kiosk: ActiveKiosk) => ({
  key: kiosk.key,
  unitName: kiosk.unit.name,
  counterName: kiosk.counter?.name ?? null,
});

/** Initials for an officer's tile (officers have no photos in the directory). */
const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join('');

/** The kiosk itself: start, survey, compliment and thanks pages; every post carries the kiosk's key. */
function kioskPages(config: Config): Router {
  const router = Router();
  // A kiosk takes one person at a time: generous for a queue, tight for a script holding a leaked address.
  const perKiosk = rateLimiter('kiosk', 60, 10 * 60_000, {
    key: (req) => `k:${lookupHash(`kiosk:${text(body(req).key).slice(0, 80)}`)}`,
    counts: (_req, res) => res.statusCode < 400,
  });

  // The start: the survey, or a compliment begun at once by tapping who served (three taps in all).
  router.get('/kiosk', withKiosk, async (req, res) => {
    const kiosk = kioskOf(res);
    const officers = await kioskOfficers(kiosk);
    res.render('pages/kiosks/start', {
      layout: 'kiosk',
      title: req.t('kiosks.kiosk_title'),
      kiosk: kioskHead(kiosk),
      officers: officers.map((officer) => ({ ...officer, initials: initialsOf(officer.name) })),
    });
  });

  router.get('/kiosk/survey', withKiosk, (req, res) => {
    res.render('pages/kiosks/survey', surveyView(req, kioskOf(res), {}, {}));
  });

  router.post('/kiosk/survey', perKiosk, withKiosk, async (req, res) => {
    const kiosk = kioskOf(res);
    try {
      await submitKioskSurvey(kiosk, surveyInputFrom(kiosk, body(req), SKM_ELEMENTS.length), req.ip);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      return res
        .status(400)
        .render('pages/kiosks/survey', surveyView(req, kiosk, body(req), translateFields(req, error)));
    }
    res.redirect(303, `/kiosk/thanks?key=${kiosk.key}&for=survey`);
  });

  router.get('/kiosk/compliment', withKiosk, async (req, res) => {
    const kiosk = kioskOf(res);
    const officers = await kioskOfficers(kiosk);
    const chosen = officers.find((officer) => officer.ref === text(req.query.officer));
    res.render('pages/kiosks/compliment', {
      layout: 'kiosk',
      title: req.t('kiosks.start_compliment'),
      kiosk: kioskHead(kiosk),
      resetUrl: startUrl(kiosk),
      idleSeconds: IDLE_SECONDS,
      officers: officers.map((officer) => ({ ...officer, initials: initialsOf(officer.name) })),
      chosen: chosen ? { ...chosen, initials: initialsOf(chosen.name) } : null,
      points: complimentPoints.map((point) => ({ code: point, label: req.t(`kiosks.point.${point}`) })),
      formToken: randomBytes(12).toString('base64url'),
    });
  });

  router.post('/kiosk/compliment', perKiosk, withKiosk, async (req, res) => {
    const kiosk = kioskOf(res);
    const form = body(req);
    try {
      await fileKioskCompliment(
        kiosk,
        { officerRef: form.officerRef, points: form.points, formToken: form.formToken },
        { lang: req.lang, publicUrl: config.publicUrl, dataDir: config.dataDir },
      );
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      const officers = await kioskOfficers(kiosk);
      const chosen = officers.find((officer) => officer.ref === text(form.officerRef));
      const picked = ([] as unknown[]).concat(form.points ?? []).map(String);
      return res.status(400).render('pages/kiosks/compliment', {
        layout: 'kiosk',
        title: req.t('kiosks.start_compliment'),
        kiosk: kioskHead(kiosk),
        resetUrl: startUrl(kiosk),
        idleSeconds: IDLE_SECONDS,
        officers: officers.map((officer) => ({ ...officer, initials: initialsOf(officer.name) })),
        chosen: chosen ? { ...chosen, initials: initialsOf(chosen.name) } : null,
        points: complimentPoints.map((point) => ({
          code: point,
          label: req.t(`kiosks.point.${point}`),
          checked: picked.includes(point),
        })),
        formToken: text(form.formToken) || randomBytes(12).toString('base64url'),
        errors: translateFields(req, error),
      });
    }
    res.redirect(303, `/kiosk/thanks?key=${kiosk.key}&for=compliment`);
  });

  router.get('/kiosk/thanks', withKiosk, (req, res) => {
    const kiosk = kioskOf(res);
    res.render('pages/kiosks/thanks', {
      layout: 'kiosk',
      title: req.t('kiosks.thanks_title'),
      kiosk: kioskHead(kiosk),
      message: req.t(req.query.for === 'compliment' ? 'kiosks.thanks_compliment' : 'kiosks.thanks_survey'),
      // A refresh, not a script: the kiosk goes back to the start for the next person even without JavaScript.
      refresh: `${THANKS_SECONDS};url=${startUrl(kiosk)}`,
      startUrl: startUrl(kiosk),
    });
  });

  return router;
}

/** The staff page and the JSON API of kiosk registration. */
function staffRoutes(config: Config): Router {
  const router = Router();

  router.get('/api/v1/kiosks', docs.getKiosks, requireActor, async (req, res) => {
    res.json(await listKiosks(req.actor));
  });
  router.post('/api/v1/kiosks', docs.postKiosks, requireActor, async (req, res) => {
    const created = await registerKiosk(req.actor, req.body, config.publicUrl);
    res.status(201).json(created);
  });
  router.delete('/api/v1/kiosks/:id', docs.deleteKiosksId, requireActor, async (req, res) => {
    res.json(await revokeKiosk(req.actor, req.params.id));
  });

  async function renderPage(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const kiosks = await listKiosks(req.actor);
    res.render('pages/kiosks/manage', {
      title: req.t('kiosks.title'),
      kiosks,
      units: kioskUnitsOf(await unitsInScope(req.actor!, 'kiosks.manage')),
      ...extra,
    });
  }

  router.get('/kiosks', requireActor, (req, res) => renderPage(req, res));
  router.post('/kiosks', requireActor, async (req, res) => {
    try {
      // The page's one picker names the unit and, after a bar, the counter: "PKM-KEBUNHANDIL|L1".
      const [unitCode, counter] = text(body(req).place).split('|');
      const created = await registerKiosk(req.actor, { unitCode, counter: counter || null }, config.publicUrl);
      res.status(201);
      await renderPage(req, res, { created });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation') throw error;
      res.status(400);
      await renderPage(req, res, { errors: translateFields(req, error), values: body(req) });
    }
  });
  router.post('/kiosks/:id/revoke', requireActor, async (req, res) => {
    await revokeKiosk(req.actor, req.params.id);
    req.session.flash = req.t('kiosks.revoked_notice');
    res.redirect(303, '/kiosks');
  });

  return router;
}

export function kioskRoutes(config: Config): Router[] {
  return [kioskPages(config), staffRoutes(config)];
}
