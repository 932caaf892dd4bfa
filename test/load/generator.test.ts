import { expect } from 'chai';
import { escalateBreaches } from '../../src/modules/feedback/clocks.js';
import { breachKey } from '../../src/modules/feedback/statuses.js';
import mongoose from 'mongoose';
import { randomBytes } from 'node:crypto';
import { toActor } from '../../src/modules/accounts/actors.js';
import { User } from '../../src/modules/accounts/model.js';
import { saveCounter, saveService } from '../../src/modules/directory/service.js';
import { Finding, Ticket } from '../../src/modules/feedback/model.js';
import { SurveyResponse } from '../../src/modules/surveys/model.js';
import { setEncryptionKey, unseal } from '../../src/platform/crypto.js';
import { generateLoad, officerItemsFor, type GenerateResult } from '../../scripts/load/generate.js';
import { seedDirectory } from '../helpers/app.js';
import { useTestDatabase } from '../helpers/db.js';
import { TEST_ENCRYPTION_KEY } from '../setup.js';

/** Top-level keys of a stored document next to those Mongoose writes for the same data (defaults included). */
function keysOf(doc: object): string[] {
  return Object.keys(doc).sort();
}

describe('load generator (scripts/generate-load.ts)', function () {
  useTestDatabase();
  this.timeout(120_000);
  const officerNip = '198503152010012001';
  let result: GenerateResult;
  // The generator seals with a key of its own; the specs after this file read with the run's key.
  after(() => setEncryptionKey(TEST_ENCRYPTION_KEY));

  before(async () => {
    setEncryptionKey(randomBytes(32).toString('hex'));
    await seedDirectory();
    // The small directory has services in one unit only: give Putri Ayu (WIB) and Ambon's Disdukcapil (WIT) theirs.
    const admin = toActor((await User.findOne({ email: 'root@suara.test' }).lean())!);
    await saveService(admin, 'PKM-PUTRIAYU', { code: 'KIA', name: 'Kesehatan Ibu dan Anak', targetWaitMinutes: 30 });
    await saveService(admin, 'AMB-DUKCAPIL', { code: 'KTP-EL', name: 'Perekaman KTP-el', targetWaitMinutes: 30 });
    await saveCounter(admin, 'AMB-DUKCAPIL', { code: 'L1', name: 'Loket 1' });
    result = await generateLoad(mongoose.connection.db!, {
      tickets: 300,
      surveys: 300,
      officerItems: 40,
      officerNip,
      seed: 7,
      batchSize: 100,
      sealContacts: true,
    });
  });

  it('writes tickets exactly as the Ticket model would, each valid', async () => {
    const tickets = await mongoose.connection.db!.collection('tickets').find().toArray();
    expect(tickets).to.have.length(300);
    for (const raw of tickets) {
      const model = new Ticket(raw);
      await model.validate(); // throws on the first invalid document
      expect(keysOf(raw)).to.deep.equal(keysOf(model.toObject()));
      expect(keysOf(raw.history[0])).to.deep.equal(keysOf(model.toObject().history[0]!));
    }
    expect(new Set(tickets.map((ticket) => ticket.code)).size).to.equal(300);
    // And Mongoose reads them back like its own.
    const read = await Ticket.findOne({ status: 'closed' }).lean();
    expect(read!.history.at(-1)!.to).to.equal('closed');
  });

  it('writes findings and survey answers as their models would, each valid', async () => {
    const findings = await mongoose.connection.db!.collection('findings').find().toArray();
    expect(findings.length).to.be.greaterThan(0);
    for (const raw of findings) {
      const model = new Finding(raw);
      await model.validate();
      expect(keysOf(raw)).to.deep.equal(keysOf(model.toObject()));
    }
    const surveys = await mongoose.connection.db!.collection('survey_responses').find().toArray();
    expect(surveys).to.have.length(300);
    for (const raw of surveys) {
      const model = new SurveyResponse(raw);
      await model.validate();
      expect(keysOf(raw)).to.deep.equal(keysOf(model.toObject()));
      expect(keysOf(raw.integrity)).to.deep.equal(keysOf(model.toObject().integrity));
    }
  });

  it('mixes kinds as citizens do: mostly complaints, then compliments, suggestions, information requests', () => {
    const { complaint = 0, compliment = 0, suggestion = 0, information_request = 0 } = result.kinds;
    expect(complaint + compliment + suggestion + information_request).to.equal(300);
    expect(complaint / 300).to.be.within(0.58, 0.82);
    expect(compliment / 300).to.be.within(0.07, 0.25);
    expect(suggestion + information_request).to.be.greaterThan(10);
  });

  it('keeps each unit in its agency time zone, with survey hours on the local wall clock', async () => {
    const ambon = await Ticket.find({ agencyCode: 'AMBON' }).lean();
    expect(ambon.length).to.be.greaterThan(0);
    expect(new Set(ambon.map((ticket) => ticket.timeZone))).to.deep.equal(new Set(['Asia/Jayapura']));
    const jambi = await Ticket.find({ agencyCode: 'JAMBI' }).lean();
    expect(new Set(jambi.map((ticket) => ticket.timeZone))).to.deep.equal(new Set(['Asia/Jakarta']));
    const surveys = await SurveyResponse.find({ agencyCode: 'AMBON' }).lean();
    expect(surveys.length).to.be.greaterThan(0);
    for (const survey of surveys) {
      const wall = new Date(survey.submittedAt.getTime() + 9 * 3600_000);
      expect(survey.integrity.localHour).to.equal(wall.getUTCHours());
      expect(survey.integrity.localWeekday).to.equal(wall.getUTCDay() || 7);
    }
  });

  it('gives the chosen officer the planned number of record items, scaled to the run', async () => {
    const planned = officerItemsFor(300, 300, 40);
    expect(result.chosen.nip).to.equal(officerNip);
    expect(result.officerItems).to.deep.equal(planned);
    const officerId = new mongoose.Types.ObjectId(result.chosen.officerId);
    const findings = await Finding.countDocuments({ officerId });
    const counted = await Finding.countDocuments({ officerId, outcome: { $ne: 'not_substantiated' } });
    const compliments = await Ticket.countDocuments({ kind: 'compliment', officerIds: officerId, status: 'closed' });
    const surveys = await SurveyResponse.countDocuments({ officerId });
    expect({ findings, counted, compliments, surveys }).to.deep.equal({
      findings: planned.findings,
      counted: planned.findings,
      compliments: planned.compliments,
      surveys: planned.surveys,
    });
    expect(findings + compliments + surveys).to.equal(40);
    // At full size: about 2,000.
    expect(officerItemsFor(1_000_000, 1_000_000).total).to.equal(2000);
  });

  it('moves tickets through plausible lives: verified within days, closed ones with their times and history', async () => {
    const closed = await Ticket.find({ status: 'closed' }).lean();
    expect(closed.length).to.be.greaterThan(150);
    for (const ticket of closed) {
      expect(ticket.closedAt).to.be.an.instanceOf(Date);
      expect(ticket.closedAt!.getTime()).to.be.greaterThan(ticket.createdAt.getTime());
      const verified = ticket.history.find((entry) => entry.to === 'verified');
      if (ticket.rejectReason) continue;
      expect(verified, ticket.code).to.not.equal(undefined);
      const days = (verified!.at.getTime() - ticket.createdAt.getTime()) / 86_400_000;
      // At most nine working days (the slowest units), which Lebaran's weeks of leave stretch in calendar days.
      expect(days).to.be.within(0, 30);
      if (ticket.kind !== 'compliment') expect(ticket.resolvedAt).to.be.an.instanceOf(Date);
    }
    const sealed = await Ticket.findOne({ 'reporter.email': { $type: 'string' } }).lean();
    expect(unseal(sealed!.reporter!.email!)).to.match(/@contoh\.id$/);
  });

  it('marks the breaches of open tickets as the clock job does, so the app does not escalate them all again', async () => {
    // The generated world's "now": the end of its last day in Jakarta.
    const now = new Date(Date.parse(`${result.until}T23:59:59.999+07:00`));
    const overdue = await Ticket.find({ dueClock: { $in: ['verify', 'followUp'] }, dueAt: { $lt: now } }).lean();
    const running = overdue.filter((ticket) =>
      ['received', 'verified', 'assigned', 'in_progress'].includes(ticket.status),
    );
    expect(running.length, 'open tickets past their limit').to.be.greaterThan(0);
    for (const ticket of running) expect(ticket.escalated).to.include(breachKey(ticket.dueClock!, ticket.dueAt!));
    expect((await escalateBreaches({ publicUrl: 'https://suara.test' }, now)).escalated).to.equal(0);
  });

  it('is deterministic: the same seed writes the same tickets', async () => {
    const first = await Ticket.find().sort({ _id: 1 }).limit(5).lean();
    const db = mongoose.connection.db!;
    for (const name of ['tickets', 'findings', 'survey_responses']) await db.collection(name).deleteMany({});
    await generateLoad(db, { tickets: 300, surveys: 10, officerItems: 40, officerNip, seed: 7, batchSize: 100 });
    const again = await Ticket.find().sort({ _id: 1 }).limit(5).lean();
    expect(again.map((ticket) => [String(ticket._id), ticket.code, ticket.description, ticket.status])).to.deep.equal(
      first.map((ticket) => [String(ticket._id), ticket.code, ticket.description, ticket.status]),
    );
  });
});
