import Joi from 'joi';
import { languages } from '../../platform/i18n.js';
import { mailTemplates, outboxStatuses } from './model.js';

/**
 * What a mail may carry, per template. Unknown keys are stripped (check() does that), so contact data handed in
 * by mistake never reaches a template: the address lives only in `to`, sealed.
 */
const ticketMail = {
  code: Joi.string().trim().max(40).required(),
  trackUrl: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .max(2000)
    .required(),
  unitName: Joi.string().trim().max(300),
  kindLabel: Joi.string().trim().max(100),
  statusLabel: Joi.string().trim().max(200),
  body: Joi.string().max(10_000),
};

/** Staff mails carry labels already written in the recipient's language, and no citizen data at all. */
const label = Joi.string().trim().max(200);
const count = Joi.number().integer().min(0).required();

export const mailData = {
  // `dueLabel`: when staff verify it (or answer an information request: `answerDue`); absent in mails queued before.
  'ticket.receipt': Joi.object({ ...ticketMail, dueLabel: Joi.string().trim().max(200), answerDue: Joi.boolean() }),
  'ticket.status': Joi.object({ ...ticketMail, statusLabel: ticketMail.statusLabel.required() }),
  'ticket.reply': Joi.object({ ...ticketMail, body: ticketMail.body.required() }),
  // The agency's auto-close length (feedback's clock settings); absent: the national 10 working days.
  'ticket.resolved': Joi.object({ ...ticketMail, autoCloseDays: Joi.number().integer().min(1).max(60) }),
  // `trackUrl` is the link the HTML part shows: for staff, a staff page (sign-in needed, no token in it).
  'staff.escalation': Joi.object({
    code: ticketMail.code,
    trackUrl: ticketMail.trackUrl,
    unitName: ticketMail.unitName,
    name: label,
    clockLabel: label.required(),
    dueLabel: label.required(),
    lateLabel: label.required(),
  }),
  'staff.digest': Joi.object({
    trackUrl: ticketMail.trackUrl,
    name: label,
    dateLabel: label.required(),
    openCount: count,
    overdueCount: count,
    newCount: count,
    overdue: Joi.array()
      .items(Joi.object({ code: ticketMail.code, unitName: ticketMail.unitName, clockLabel: label, dueLabel: label }))
      .max(20)
      .default([]),
    moreOverdue: Joi.number().integer().min(0).default(0),
  }),
  'coaching.action_due': Joi.object({
    trackUrl: ticketMail.trackUrl,
    name: label,
    officerName: label.required(),
    action: Joi.string().trim().max(1000).required(),
    ownerLabel: label.required(),
    dueLabel: label.required(),
  }),
  // `trackUrl` is the single-use reset link; the outbox keeps it sealed and clears it once sent.
  'account.password_reset': Joi.object({
    trackUrl: ticketMail.trackUrl,
    name: label,
    minutes: Joi.number().integer().min(1).required(),
  }),
} as const;

export const queueMailInput = Joi.object({
  to: Joi.string().trim().email({ tlds: false }).max(254).required(),
  template: Joi.string()
    .valid(...mailTemplates)
    .required(),
  lang: Joi.string()
    .valid(...languages)
    .default('id'),
  data: Joi.alternatives()
    .conditional('template', {
      switch: mailTemplates.map((template) => ({ is: template, then: mailData[template].required() })),
    })
    .required(),
  dedupeKey: Joi.string().trim().max(200),
  unitPath: Joi.array().items(Joi.string().hex().length(24)).max(20).default([]),
});

/** The admin outbox page and its JSON twin: one status (or all), a page at a time. */
export const outboxListInput = Joi.object({
  status: Joi.string()
    .valid(...outboxStatuses)
    .allow(''),
  page: Joi.number().integer().min(1).max(10_000).default(1),
});
