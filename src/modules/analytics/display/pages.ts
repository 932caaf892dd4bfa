import { Router } from 'express';
import type { Config } from '../../../config.js';
import { AppError } from '../../../platform/errors.js';
import { citizenUrl, findPublicUnit, printedUrl, qrSvg } from '../../directory/index.js';
import { displayPayload } from './gateway.js';

/** The hall display (public): the screen's first picture; the gateway keeps it current. */
export function displayPages(config: Config): Router {
  const router = Router();
  router.get('/display/:unitCode', async (req, res) => {
    const unit = /^[A-Za-z0-9][A-Za-z0-9-]{1,39}$/.test(req.params.unitCode)
      ? await findPublicUnit(req.params.unitCode)
      : null;
    if (!unit) throw new AppError('not_found');
    const surveyUrl = citizenUrl(config.publicUrl, 'survey', { unitCode: unit.code });
    res.render('pages/display/unit', {
      layout: false,
      title: `${unit.name} · ${req.t('analytics.pages.display_title')}`,
      display: await displayPayload(unit.code),
      surveyQr: await qrSvg(surveyUrl),
      surveyAddress: printedUrl(surveyUrl),
      timeZone: unit.timeZone,
    });
  });
  return router;
}
