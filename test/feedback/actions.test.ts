import { expect } from 'chai';
import {
  actActions,
  actionNames,
  formOf,
  isAllowedFrom,
  isDecision,
  nextActionOf,
  offeredActions,
  ticketAction,
} from '../../src/modules/feedback/actions.js';
import { statuses } from '../../src/modules/feedback/statuses.js';

/**
 * The ticket page, the API and the conflict-of-interest rules read one table of actions, so the page never offers
 * a form the service would refuse, and a person who may only work a ticket is never offered a decision.
 */

const rights = [
  { triage: true, work: true },
  { triage: false, work: true },
  { triage: false, work: false },
];

describe('Ticket actions (one table for the page, the API and the decision rules)', () => {
  it('offers on the ticket page only actions the service takes from that status, for someone with the right', () => {
    for (const status of statuses)
      for (const can of rights)
        for (const action of offeredActions({ status, can })) {
          expect(isAllowedFrom(action, status), `${action} from ${status}`).to.equal(true);
          expect(isDecision(action) ? can.triage : can.work, `${action} with ${JSON.stringify(can)}`).to.equal(true);
          expect(formOf(action), action).to.be.a('string');
        }
  });

  it('names as the next step an action the page offers: verify a new ticket, assign a verified one, close a resolved one', () => {
    const verifier = { triage: true, work: true };
    expect(nextActionOf({ status: 'received', can: verifier })).to.equal('verify');
    expect(nextActionOf({ status: 'verified', can: verifier })).to.equal('assign');
    expect(nextActionOf({ status: 'awaiting_citizen', can: { triage: false, work: true } })).to.equal('resolve');
    expect(nextActionOf({ status: 'resolved', can: verifier })).to.equal('close');
    expect(nextActionOf({ status: 'closed', can: verifier })).to.equal(null);
    for (const status of statuses)
      for (const can of rights) {
        const next = nextActionOf({ status, can });
        if (next) expect(offeredActions({ status, can })).to.include(next);
      }
  });

  it('gives a handler who may only work a ticket no decision to take', () => {
    for (const status of statuses)
      expect(offeredActions({ status, can: { triage: false, work: true } }).filter(isDecision)).to.deep.equal([]);
  });

  it('validates the PATCH API with the actions of the table and nothing else', () => {
    const known = (ticketAction.describe().keys.action as { allow: string[] }).allow;
    expect([...known].sort()).to.deep.equal([...actActions].sort());
    expect(actionNames).to.include.members(['reply', 'note', 'finding', 'merge']);
    const { error } = ticketAction.validate({ revision: 0, action: 'verify', unitCode: 'PKM-X' });
    expect(error?.details.map((detail) => detail.path.join('.'))).to.deep.equal(['unitCode']);
  });
});
