import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { roles } from '../../src/platform/access.js';
import { User } from '../../src/modules/accounts/model.js';
import { Officer, Unit } from '../../src/modules/directory/model.js';
import { parseNip } from '../../src/modules/directory/nip.js';
import { databaseIsEmpty, seedDemo, type DemoAccount } from '../../src/demo/seed.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { ensureReferenceData } from '../../src/reference-data.js';
import { projectRoot } from '../../src/platform/paths.js';
import { useTestDatabase } from '../helpers/db.js';

describe('Demo data', () => {
  useTestDatabase();
  let accounts: DemoAccount[];
  let dataDir: string;
  before(async function () {
    this.timeout(120_000);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'suara-demo-'));
    expect(await databaseIsEmpty()).to.equal(true);
    await ensureReferenceData();
    ({ accounts } = await seedDemo(
      loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DEMO_PASSWORD: 'demo-sandi-2026' }),
    ));
  });

  it('has Jambi and Sawahlunto in WIB and Ambon in WIT, each with service units', async () => {
    const agencies = await Unit.find({ parentId: null }).sort({ code: 1 }).lean();
    expect(agencies.map((agency) => [agency.code, agency.timeZone])).to.deep.equal([
      ['AMBON', 'Asia/Jayapura'],
      ['JAMBI', 'Asia/Jakarta'],
      ['SAWAHLUNTO', 'Asia/Jakarta'],
    ]);
    for (const agency of agencies)
      expect(await Unit.countDocuments({ path: agency._id, parentId: { $ne: null } })).to.be.greaterThan(2);
    const rsud = await Unit.findOne({ code: 'JAMBI-RSUD' }).lean();
    expect(rsud!.services.map((service) => service.code)).to.include('RAWAT-JALAN');
  });

  it('writes one account per role, and a unit head for Dinas Kesehatan and each of its puskesmas', async () => {
    const written = JSON.parse(await readFile(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as DemoAccount[];
    expect(written).to.deep.equal(accounts);
    expect(new Set(written.map((account) => account.role))).to.deep.equal(new Set(roles));
    expect(written.every((account) => account.password === 'demo-sandi-2026')).to.equal(true);
    const dinkes = await Unit.findOne({ code: 'JAMBI-DINKES' }).lean();
    const puskesmas = await Unit.find({ parentId: dinkes!._id }).lean();
    expect(puskesmas.length).to.be.at.least(2);
    const heads = written.filter((account) => account.role === 'unit_head').map((account) => account.unitCode);
    for (const unit of [dinkes!, ...puskesmas]) expect(heads).to.include(unit.code);
  });

  it('links every unit head and the handler to a real officer record of their own unit, and says so in the file', async () => {
    const linked = accounts.filter((account) => account.role === 'unit_head' || account.role === 'handler');
    expect(linked.length).to.be.at.least(10);
    for (const account of linked) {
      expect(account.officerNip, account.email).to.be.a('string');
      const officer = await Officer.findOne({ nip: account.officerNip }).lean();
      expect(officer?.unitCode, account.email).to.equal(account.unitCode);
      expect((await User.findOne({ email: account.email }).lean())!.officerNip).to.equal(account.officerNip);
    }
    const officerOfRecord = accounts.find((account) => account.role === 'officer')!;
    expect(officerOfRecord.officerNip).to.be.a('string');
    const nips = accounts.flatMap((account) => (account.officerNip ? [account.officerNip] : []));
    expect(new Set(nips).size, 'one account per officer').to.equal(nips.length);
  });

  it('has about 60 officers, all with valid NIPs, in every service unit', async () => {
    const officers = await Officer.find().lean();
    expect(officers.length).to.be.at.least(60);
    for (const officer of officers) expect(parseNip(officer.nip).ok, officer.nip).to.equal(true);
    expect(officers.some((officer) => officer.employment === 'pppk')).to.equal(true);
    for (const code of ['JAMBI-PKM-KEBUNHANDIL', 'JAMBI-DUKCAPIL', 'AMB-PKM-RIJALI', 'SWL-RSUD'])
      expect(officers.filter((officer) => officer.unitCode === code).length, code).to.be.at.least(2);
  });

  it('has tickets at several stages and survey answers, so the inbox and the index have something to show', async () => {
    const statuses = (await Ticket.find().lean()).map((ticket) => ticket.status).sort();
    expect(statuses).to.include.members(['received', 'verified', 'assigned', 'in_progress', 'resolved']);
    expect(await mongoose.connection.db!.collection('survey_responses').countDocuments()).to.be.at.least(30);
  });

  it('lets every demo account sign in', async function () {
    this.timeout(60_000);
    const app = createApp({
      config: loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir }),
      sessionSecret: 'x'.repeat(40),
    });
    for (const role of roles) {
      const account = accounts.find((candidate) => candidate.role === role)!;
      await request(app)
        .post('/api/v1/auth/login')
        .send({ email: account.email, password: account.password })
        .expect(200);
    }
  });

  it('npm run seed:demo refuses a database that is not empty', async function () {
    this.timeout(60_000);
    const uri = new URL(process.env.TEST_MONGODB_URI!);
    uri.pathname = `/${mongoose.connection.name}`;
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/seed-demo.ts'], {
      cwd: projectRoot,
      env: { ...process.env, MONGODB_URI: uri.toString(), DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    });
    const failure = (await run.then(
      () => expect.fail('seed:demo should refuse'),
      (error: unknown) => error,
    )) as { code: number; stderr: string };
    expect(failure.code).to.equal(1);
    expect(failure.stderr).to.include('already has units or accounts');
    expect(await Unit.countDocuments({ parentId: null })).to.equal(3);
  });
});
