import Joi from 'joi';
import { clock } from '../../platform/clock.js';
import { unitCode } from '../directory/index.js';
import { findingInput, mergeInput, officer, revision, staffReply } from './staff-schemas.js';
import {
  acceptedOpenStatuses,
  acceptedStatuses,
  answeredStatuses,
  inHandStatuses,
  openStatuses,
  priorities,
  rejectReasons,
  statuses,
  undecidedStatuses,
  type Status,
} from './statuses.js';

/** What an action may depend on besides the status: the kind of ticket and the clock it runs on. */
export interface ActionFacts {
  kind: string;
  dueClock?: string | null;
  dueAt?: Date | string | null;
  extended?: boolean;
}

/**
 * What staff can do to a ticket (docs/domain.md), one entry per action: where it is allowed, who may take it, what
 * it does to the legal clock and the history, what it reads from the request and which form the ticket page draws
 * for it. The effects live in staff/ticket-actions.ts; the page, the API's validation and the conflict-of-interest
 * rules (conflict.ts) all read this table, so a new action is one entry here and one effect there.
 */

/** The legal clock an action starts (with the working days of `clockDefaults`), stops, pauses or leaves alone. */
export type ClockEffect = 'keeps' | 'stops' | 'pauses' | { starts: 'verify' | 'followUp' | 'resolve' | 'autoClose' };

/**
 * A decision (triage, findings, merges) is never taken by a person the ticket names and only where the ticket is
 * decided (`decisionScope`); work (answering, resolving) is also open to the handler it is assigned to.
 */
export type ActionKind = 'decision' | 'work';

/** Where the action is asked for: the PATCH/`act` form, or its own address. */
export type Endpoint = 'act' | 'reply' | 'finding' | 'merge';

interface ActionRule {
  /** Statuses the action is allowed from; any other is refused as "not now" (409). */
  from: readonly Status[];
  /** Where the page offers the form, when narrower than where the API allows the action. */
  offeredFrom?: readonly Status[];
  /** Statuses in which this is the action the ticket waits for (the page's one prominent button). */
  nextFrom?: readonly Status[];
  kind: ActionKind;
  clock: ClockEffect;
  /** The kind of the history entry the action writes first. */
  history: string;
  /** The change named on `ticket.updated`, which the live inbox and the rollups read. */
  change: string;
  endpoint: Endpoint;
  /** For `act` actions: the fields this action reads besides `revision`, `action`, `body` and `template`. */
  fields?: Joi.PartialSchemaMap;
  /** For actions at their own address: their whole input. */
  input?: Joi.ObjectSchema;
  /** A message to the citizen is required (typed, or a response template's text). */
  needsBody?: boolean;
  /** The inline partial of views/pages/inbox/ticket.hbs that draws its form, when it has one of its own. */
  form: string | null;
  /** For actions of some tickets only (an information request's extension): whether it applies to this one. */
  appliesTo?: (ticket: ActionFacts) => boolean;
  /** The message a ticket it does not apply to is refused with (409). */
  refusedWith?: string;
}

const reasonToUntag = Joi.string().trim().min(5).max(500).required();
const officerFields = { officerNip: officer, officerRef: officer };

/** In the order people reach for them on the ticket page. */
export const ticketActions = {
  verify: {
    from: ['received'],
    nextFrom: ['received'],
    kind: 'decision',
    clock: { starts: 'followUp' },
    history: 'status',
    change: 'verified',
    endpoint: 'act',
    form: 'act-verify',
  },
  assign: {
    from: inHandStatuses,
    nextFrom: ['verified'],
    kind: 'decision',
    clock: { starts: 'followUp' },
    history: 'assigned',
    change: 'assigned',
    endpoint: 'act',
    fields: { assigneeId: Joi.string().hex().length(24).required() },
    form: 'act-assign',
  },
  ask: {
    from: inHandStatuses,
    kind: 'work',
    clock: 'pauses',
    history: 'status',
    change: 'asked',
    endpoint: 'act',
    // Required unless a response template is given instead.
    fields: { body: Joi.when('template', { is: Joi.string().min(1), otherwise: Joi.string().min(1).required() }) },
    needsBody: true,
    form: 'act-ask',
  },
  resolve: {
    from: acceptedOpenStatuses,
    nextFrom: acceptedOpenStatuses.filter((status) => status !== 'verified'),
    kind: 'work',
    clock: { starts: 'autoClose' },
    history: 'status',
    change: 'resolved',
    endpoint: 'act',
    form: 'act-resolve',
    // An objection to an information request is answered with its outcome (answer_objection), not just resolved.
    appliesTo: (ticket) => ticket.dueClock !== 'objection',
    refusedWith: 'feedback.objection_pending',
  },
  close: {
    from: ['resolved'],
    nextFrom: ['resolved'],
    kind: 'decision',
    clock: 'stops',
    history: 'status',
    change: 'closed',
    endpoint: 'act',
    form: 'act-close',
  },
  reject: {
    from: undecidedStatuses,
    kind: 'decision',
    clock: 'stops',
    history: 'status',
    change: 'rejected',
    endpoint: 'act',
    fields: {
      reason: Joi.string()
        .valid(...rejectReasons)
        .required(),
    },
    form: 'act-reject',
  },
  forward: {
    from: openStatuses,
    kind: 'decision',
    clock: { starts: 'verify' },
    history: 'forwarded',
    change: 'forwarded',
    endpoint: 'act',
    fields: { unitCode: unitCode.required() },
    form: 'act-forward',
  },
  priority: {
    from: statuses,
    offeredFrom: openStatuses,
    kind: 'decision',
    clock: 'keeps',
    history: 'priority',
    change: 'priority',
    endpoint: 'act',
    fields: {
      priority: Joi.string()
        .valid(...priorities)
        .required(),
    },
    form: 'act-priority',
  },
  merge: {
    from: openStatuses,
    kind: 'decision',
    clock: 'stops',
    history: 'status',
    change: 'merged',
    endpoint: 'merge',
    input: mergeInput,
    form: 'act-merge',
  },
  reopen: {
    from: answeredStatuses,
    kind: 'decision',
    clock: { starts: 'followUp' },
    history: 'status',
    change: 'reopened',
    endpoint: 'act',
    form: 'act-reopen',
  },
  category: {
    from: statuses,
    kind: 'decision',
    clock: 'keeps',
    history: 'category',
    change: 'category',
    endpoint: 'act',
    fields: { category: Joi.string().trim().max(40).required() },
    form: null,
  },
  tag: {
    from: statuses,
    kind: 'decision',
    clock: 'keeps',
    history: 'tag',
    change: 'tag',
    endpoint: 'act',
    fields: officerFields,
    form: null,
  },
  untag: {
    from: statuses,
    kind: 'decision',
    clock: 'keeps',
    history: 'untag',
    change: 'untag',
    endpoint: 'act',
    // Taking a name off a complaint is audited with the reason given (never by the person named).
    fields: { ...officerFields, reason: reasonToUntag },
    form: null,
  },
  reply: {
    // A resolved ticket may still be answered: the citizen may have asked a question about the answer.
    from: [...openStatuses, 'resolved'],
    kind: 'work',
    // The first public answer meets the follow-up clock and starts the one for resolving the ticket.
    clock: { starts: 'resolve' },
    history: 'reply',
    change: 'reply',
    endpoint: 'reply',
    input: staffReply,
    needsBody: true,
    form: null,
  },
  note: {
    from: statuses,
    kind: 'work',
    clock: 'keeps',
    history: 'note',
    change: 'note',
    endpoint: 'reply',
    input: staffReply,
    needsBody: true,
    form: null,
  },
  extend: {
    // An information request's answer, once, by 7 working days, before it is due; the requester is told why.
    from: openStatuses,
    kind: 'decision',
    clock: 'keeps', // the effect moves the answer clock on (information-requests.ts)
    history: 'extended',
    change: 'extended',
    endpoint: 'act',
    fields: { reason: Joi.string().trim().min(10).max(1000).required() },
    form: 'act-extend',
    appliesTo: (ticket) =>
      ticket.kind === 'information_request' &&
      ticket.dueClock === 'inform' &&
      !ticket.extended &&
      ticket.dueAt != null &&
      new Date(ticket.dueAt).getTime() > clock.now(),
    refusedWith: 'feedback.extend_refused',
  },
  answer_objection: {
    // The unit above answers the requester's objection: upheld (the information is given) or dismissed, with reasons.
    from: acceptedOpenStatuses,
    nextFrom: acceptedOpenStatuses,
    kind: 'decision',
    clock: { starts: 'autoClose' },
    history: 'objection_decided',
    change: 'objection_decided',
    endpoint: 'act',
    fields: {
      outcome: Joi.string().valid('upheld', 'dismissed').required(),
      body: Joi.when('template', { is: Joi.string().min(1), otherwise: Joi.string().min(1).required() }),
    },
    needsBody: true,
    form: 'act-objection',
    appliesTo: (ticket) => ticket.dueClock === 'objection',
  },
  finding: {
    from: acceptedStatuses,
    kind: 'decision',
    clock: 'keeps',
    history: 'finding',
    change: 'finding',
    endpoint: 'finding',
    input: findingInput,
    form: null,
  },
} as const satisfies Record<string, ActionRule>;

export type ActionName = keyof typeof ticketActions;
export const actionNames = Object.keys(ticketActions) as ActionName[];
const ruleOf = (action: ActionName): ActionRule => ticketActions[action];

/** The grant an action needs: triage where the ticket is decided, or work on its unit. */
export const permissionFor = (action: ActionName) =>
  ruleOf(action).kind === 'decision' ? 'tickets.triage' : 'tickets.work';
export const isDecision = (action: ActionName) => ruleOf(action).kind === 'decision';
export const isAllowedFrom = (action: ActionName, status: Status) => ruleOf(action).from.includes(status);
/** Whether the action applies to this ticket at all (most apply to every ticket). */
export const appliesTo = (action: ActionName, ticket: ActionFacts) => ruleOf(action).appliesTo?.(ticket) ?? true;
export const refusalOf = (action: ActionName) => ruleOf(action).refusedWith ?? 'feedback.not_now';

/** The actions the PATCH API and the page's `act` form take. */
export const actActions = actionNames.filter((action) => ruleOf(action).endpoint === 'act');

const bodyField = Joi.string().trim().max(4000).allow('');
const commonFields: Joi.PartialSchemaMap = {
  template: Joi.string().trim().max(60).allow(''),
  // A public message to the citizen with the change.
  body: bodyField,
};

/**
 * PATCH /api/v1/tickets/:code: one action per request, against the revision the person was looking at. A field
 * belongs to the actions that list it and is refused with any other, so a mistyped action cannot pass half a change.
 */
function actSchema(): Joi.ObjectSchema {
  const keys: Joi.PartialSchemaMap = {
    revision,
    action: Joi.string()
      .valid(...actActions)
      .required(),
    ...commonFields,
  };
  const fieldNames = new Set(actActions.flatMap((action) => Object.keys(ruleOf(action).fields ?? {})));
  for (const field of fieldNames) {
    const switches = actActions
      .filter((action) => ruleOf(action).fields?.[field])
      .map((action) => ({ is: action, then: ruleOf(action).fields![field] as Joi.Schema }));
    const common = (commonFields as Record<string, Joi.AnySchema | undefined>)[field];
    keys[field] = common
      ? common.when('action', { switch: switches })
      : Joi.when('action', { switch: switches, otherwise: Joi.forbidden() });
  }
  return Joi.object(keys);
}
export const ticketAction = actSchema();

/** The schema an action's request is checked against. */
export const inputOf = (action: ActionName): Joi.ObjectSchema => ruleOf(action).input ?? ticketAction;

/** What the page needs to know of a ticket to offer its actions: its status and what this person may do. */
export interface Offer {
  status: Status;
  can: { triage: boolean; work: boolean };
  /** The ticket's kind and clock, for actions of some tickets only; without it, an ordinary complaint's. */
  ticket?: ActionFacts;
}
const fits = (action: ActionName, offer: Offer) => appliesTo(action, offer.ticket ?? { kind: 'complaint' });
const mayTakeKind = (action: ActionName, can: Offer['can']) => (isDecision(action) ? can.triage : can.work);

/** The action a ticket in this state waits for, for a person with these rights; null when there is none. */
export function nextActionOf(offer: Offer): ActionName | null {
  const { status, can } = offer;
  return (
    actionNames.find(
      (action) => mayTakeKind(action, can) && ruleOf(action).nextFrom?.includes(status) && fits(action, offer),
    ) ?? null
  );
}

/** Every action form the page may show for this state and these rights, in the order of the table. */
export function offeredActions(offer: Offer): ActionName[] {
  const { status, can } = offer;
  return actionNames.filter((action) => {
    const rule = ruleOf(action);
    return (
      rule.form !== null &&
      mayTakeKind(action, can) &&
      (rule.offeredFrom ?? rule.from).includes(status) &&
      fits(action, offer)
    );
  });
}

/** The form partial that draws an action on the ticket page. */
export const formOf = (action: ActionName): string | null => ruleOf(action).form;
