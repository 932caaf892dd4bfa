import { Router, type Request } from 'express';
import type { Config } from '../../config.js';
import { requireActor } from '../../platform/access.js';
import { localDate } from '../../platform/calendar.js';
import { clock } from '../../platform/clock.js';
import { lookupHash } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { submitForm } from '../../platform/forms.js';
import { unitsInScope } from '../directory/index.js';
import { describe } from '../../platform/validate.js';
import { ticketInput } from './schemas.js';
import {
  assistedChannels,
  assistedFields,
  mayRecord,
  recordForCitizen,
  type AssistedReceipt,
} from './assisted-intake.js';
import { activeCategories } from './categories.js';
import { kinds, privacies } from './statuses.js';

declare module 'express-session' {
  interface SessionData {
    /** The last receipt this person recorded, shown once more on reload (it holds the citizen's tracking link). */
    assistedReceipt?: Omit<AssistedReceipt, 'dueAt' | 'receivedAt'> & { dueAt: string | null; receivedAt: string };
  }
}

/**
 * Assisted intake as a staff page (no JavaScript needed: a form, then the receipt to print or send by WhatsApp) and
 * its JSON twin. Both call `recordForCitizen`, which checks the recorder's grants itself.
 */

/** The page's flat contact fields → the API's shape (contact details under `reporter`). */
function inputFromForm(body: Record<string, unknown>) {
  const { name, email, phone, _csrf, ...rest } = body;
  void _csrf;
  return { ...rest, reporter: { name, email, phone } };
}

async function formModel(req: Request, values: Record<string, unknown> = {}) {
  const [units, categories] = await Promise.all([unitsInScope(req.actor!, 'tickets.record'), activeCategories()]);
  const timeZone = units[0]?.timeZone ?? 'Asia/Jakarta';
  return {
    title: req.t('feedback.assisted.title'),
    units,
    categories: categories.map((category) => ({
      code: category.code,
      name: category.name?.[req.lang] ?? category.code,
    })),
    kinds,
    channels: assistedChannels,
    privacies,
    today: localDate(new Date(clock.now()), timeZone),
    values: {
      kind: 'complaint',
      channel: 'phone',
      privacy: 'confidential',
      lang: 'id',
      receivedAt: localDate(new Date(clock.now()), timeZone),
      formToken: lookupHash(`assisted:${req.actor!.id}:${Date.now()}:${Math.random()}`).slice(0, 32),
      ...values,
    },
  };
}

const postAssisted = describe({
  summary: 'Staff record a report on a citizen’s behalf, with the channel it came by and the date it was received',
  body: ticketInput.concat(assistedFields),
  status: 201,
  idempotent: true,
});

export function assistedRoutes(config: Pick<Config, 'publicUrl'>): Router {
  const router = Router();
  const context = { publicUrl: config.publicUrl };

  router.post('/api/v1/tickets/assisted', postAssisted, requireActor, async (req, res) => {
    const receipt = await recordForCitizen(req.actor, req.body, context);
    res.status(receipt.replayed ? 200 : 201).json({
      code: receipt.code,
      accessToken: receipt.accessToken,
      shortToken: receipt.shortToken,
      status: receipt.status,
      channel: receipt.channel,
      receivedAt: receipt.receivedAt,
      dueAt: receipt.dueAt,
      alreadyLate: receipt.alreadyLate,
      trackUrl: receipt.trackLink,
      whatsAppLink: receipt.whatsAppLink,
    });
  });

  router.get('/inbox/record', requireActor, async (req, res) => {
    if (!mayRecord(req.actor)) throw new AppError('forbidden');
    res.render('pages/inbox/record', await formModel(req));
  });

  router.post('/inbox/record', requireActor, async (req, res) => {
    await submitForm(
      req,
      res,
      async () => {
        const receipt = await recordForCitizen(req.actor, inputFromForm(req.body as Record<string, unknown>), context);
        req.session.assistedReceipt = {
          ...receipt,
          dueAt: receipt.dueAt?.toISOString() ?? null,
          receivedAt: receipt.receivedAt.toISOString(),
        };
        return { to: '/inbox/record/receipt', flash: req.t('feedback.assisted.recorded', { code: receipt.code }) };
      },
      async (errors) => res.render('pages/inbox/record', { ...(await formModel(req, req.body)), ...errors }),
    );
  });

  // The receipt stays in the recorder's session until the next one: a reload or a print shows it again.
  router.get('/inbox/record/receipt', requireActor, (req, res) => {
    const receipt = req.session.assistedReceipt;
    if (!receipt) return void res.redirect(303, '/inbox/record');
    res.set('Cache-Control', 'private, no-store');
    res.render('pages/inbox/recorded', {
      title: req.t('feedback.assisted.receipt_title', { code: receipt.code }),
      receipt,
      timeZone: receipt.timeZone,
      trackPath: receipt.trackLink.slice(config.publicUrl.length) || receipt.trackLink,
    });
  });

  return router;
}
