import { Router, type Response } from 'express';
import Joi from 'joi';
import { validate } from '../../platform/validate.js';
import { requireActor } from '../../platform/access.js';
import { qrChoices, qrKinds, unitPoster, unitQrCode } from './qr.js';

/** Counter codes and officer references as they come in a query; unknown ones are a 404 from the use case. */
const place = {
  counter: Joi.string().trim().max(64).allow(''),
  officer: Joi.string().trim().max(64).allow(''),
};
const qrQuery = Joi.object({
  kind: Joi.string()
    .valid(...qrKinds)
    .default('form'),
  ...place,
});
const posterQuery = Joi.object(place);

/** A generated file for staff to print: named, never cached (it changes when an officer or counter does). */
function sendFile(res: Response, type: string, fileName: string, body: Buffer) {
  res.set({
    'Content-Type': type,
    'Content-Disposition': `inline; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
    'Cache-Control': 'private, no-store',
  });
  res.send(body);
}

/** Printable QR codes and posters per unit, counter and officer, for staff who may read the unit. */
export function qrRoutes(config: { publicUrl: string }): Router {
  const router = Router();

  router.get('/admin/units/:code/qr', requireActor, async (req, res) => {
    const choices = await qrChoices(req.actor!, String(req.params.code));
    res.render('pages/qr/unit', { title: `${req.t('qr.page_title')}: ${choices.unit.name}`, ...choices });
  });

  router.get('/admin/units/:code/qr.png', requireActor, validate({ query: qrQuery }), async (req, res) => {
    const { png, fileName } = await unitQrCode(req.actor!, config.publicUrl, String(req.params.code), res.locals.query);
    sendFile(res, 'image/png', fileName, png);
  });

  router.get('/admin/units/:code/poster.pdf', requireActor, validate({ query: posterQuery }), async (req, res) => {
    const { pdf, fileName } = await unitPoster(req.actor!, config.publicUrl, String(req.params.code), res.locals.query);
    sendFile(res, 'application/pdf', fileName, pdf);
  });

  return router;
}
