import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { createUser } from '../../src/modules/accounts/service.js';
import { calendarFor } from '../../src/modules/calendar/service.js';
import { escalateBreaches } from '../../src/modules/feedback/clocks.js';
import { Ticket, type TicketDoc } from '../../src/modules/feedback/model.js';
import { localDate } from '../../src/platform/calendar.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';

/**
 * Assisted intake: staff file a complaint that came by phone, letter, WhatsApp... on the citizen's behalf, through
 * the same intake path as the citizen's form, dated when it was received. Real database, real sessions.
 */
const JAKARTA = 'Asia/Jakarta';
const DAY = 24 * 3600 * 1000;
const dayOf = (offsetDays: number) => localDate(new Date(Date.now() + offsetDays * DAY), JAKARTA);

describe('Assisted intake: staff record a report on a citizen’s behalf', () => {
  useTestDatabase();
  let app: Express;
  let head: request.Agent;
  let headCsrf: string;
  let named: request.Agent;
  let namedCsrf: string;

  before(async () => {
    app = await testApp();
    const { admin } = await seedDirectory();
    // Siti Rahmawati heads Kebun Handil here and is an officer the citizen may name.
    await createUser(admin, {
      email: 'siti@suara.test',
      name: 'Siti Rahmawati',
      password: PASSWORD,
      role: 'unit_head',
      unitCode: 'PKM-KEBUNHANDIL',
      officerNip: '198503152010012001',
    });
    head = request.agent(app);
    headCsrf = await signIn(head, 'kepala.kebunhandil@suara.test');
    named = request.agent(app);
    namedCsrf = await signIn(named, 'siti@suara.test');
  });
  beforeEach(resetRateLimits);

  const phoneComplaint = (extra: Record<string, unknown> = {}) => ({
    kind: 'complaint',
    unitCode: 'PKM-KEBUNHANDIL',
    category: 'waiting_time',
    description: 'Penelepon menunggu tiga jam di poli umum tanpa kejelasan antrean.',
    reporter: { name: 'Ibu Nurhayati', phone: '0812-7788-9900' },
    privacy: 'confidential',
    consent: true,
    channel: 'phone',
    receivedAt: dayOf(-1),
    ...extra,
  });
  const record = (agent: request.Agent, csrf: string, body: unknown) =>
    agent
      .post('/api/v1/tickets/assisted')
      .set('X-CSRF-Token', csrf)
      .send(body as object);

  it('files a phone complaint received yesterday: clocks from yesterday, recorder in the history, never as reporter', async () => {
    const receivedDay = dayOf(-1);
    const { body } = await record(head, headCsrf, phoneComplaint()).expect(201);
    expect(body.channel).to.equal('phone');
    const ticket = (await Ticket.findOne({ code: body.code }).lean<TicketDoc>())!;
    expect(ticket.channel).to.equal('phone');
    expect(localDate(ticket.createdAt, JAKARTA)).to.equal(receivedDay);
    const calendar = await calendarFor(ticket);
    expect(ticket.dueAt!.toISOString()).to.equal(calendar.dueAfterWorkingDays(ticket.createdAt, 3).toISOString());
    expect(new Date(body.dueAt).toISOString()).to.equal(ticket.dueAt!.toISOString());
    const created = ticket.history.find((entry) => entry.action === 'created')!;
    expect(created.actor).to.include({ kind: 'staff', name: 'kepala.kebunhandil' });
    // Contact data sealed at rest, like the citizen's own form.
    expect(JSON.stringify(ticket.reporter)).not.to.contain('7788');
    expect(ticket.reporter.phoneHash).to.be.a('string');

    const citizen = (
      await request(app).get(`/api/v1/tickets/${body.code}`).query({ token: body.shortToken }).expect(200)
    ).body;
    expect(citizen.timeline[0]).to.include({ action: 'created', by: 'unit' });
    expect(JSON.stringify(citizen)).not.to.contain('kepala.kebunhandil');
  });

  it('gives a WhatsApp share link to the citizen’s number with the code and a tracking link that opens the ticket', async () => {
    const { body } = await record(head, headCsrf, phoneComplaint()).expect(201);
    const link = new URL(body.whatsAppLink);
    expect(link.origin + link.pathname).to.equal('https://wa.me/6281277889900');
    const text = link.searchParams.get('text')!;
    expect(text).to.contain(body.code);
    const trackLink = text.slice(text.indexOf('http'));
    expect(trackLink).to.equal(body.trackUrl);
    const tracked = new URL(trackLink);
    const page = await request(app)
      .get(tracked.pathname + tracked.search)
      .expect(200);
    expect(page.text).to.contain(body.code);
  });

  it('shows the channel in the inbox and filters by it', async () => {
    const { body } = await record(head, headCsrf, phoneComplaint({ channel: 'letter' })).expect(201);
    const letters = (await head.get('/api/v1/inbox').query({ channel: 'letter' }).expect(200)).body;
    expect(letters.items.map((item: { code: string }) => item.code)).to.include(body.code);
    expect(letters.items.every((item: { channel: string }) => item.channel === 'letter')).to.equal(true);
    const web = (await head.get('/api/v1/inbox').query({ channel: 'web' }).expect(200)).body;
    expect(web.items.map((item: { code: string }) => item.code)).not.to.include(body.code);
    const page = await head.get('/inbox').query({ channel: 'letter' }).expect(200);
    expect(page.text).to.contain(body.code).and.to.contain('Surat');
    await head.get('/api/v1/inbox').query({ channel: 'carrier-pigeon' }).expect(400);
  });

  it('counts tickets per channel in the trends', async () => {
    await record(head, headCsrf, phoneComplaint({ channel: 'whatsapp', receivedAt: dayOf(-2) })).expect(201);
    const counted = await Ticket.aggregate<{ _id: string; n: number }>([
      { $match: { channel: 'whatsapp' } },
      { $group: { _id: '$channel', n: { $sum: 1 } } },
    ]);
    const { body } = await head
      .get('/api/v1/analytics/trends')
      .query({ unitCode: 'PKM-KEBUNHANDIL', from: dayOf(-35), to: dayOf(0), interval: 'month' })
      .expect(200);
    const sum = (series: number[] = []) => series.reduce((total, n) => total + n, 0);
    expect(sum(body.tickets.byChannel.whatsapp)).to.equal(counted[0]!.n);
    expect(sum(body.tickets.byChannel.phone)).to.be.at.least(1);
  });

  it('refuses a date in the future, one too long ago, a citizen channel, hostile values: 400 in Indonesian, nothing filed', async () => {
    const before = await Ticket.countDocuments();
    const future = await record(head, headCsrf, phoneComplaint({ receivedAt: dayOf(2) })).expect(400);
    expect(future.body.error.fields.receivedAt).to.match(/masa depan/);
    const old = await record(head, headCsrf, phoneComplaint({ receivedAt: dayOf(-45) })).expect(400);
    expect(old.body.error.fields.receivedAt).to.match(/30 hari/);
    const web = await record(head, headCsrf, phoneComplaint({ channel: 'web', description: '' })).expect(400);
    expect(web.body.error.fields).to.have.keys('channel', 'description');
    await record(head, headCsrf, phoneComplaint({ channel: ['phone'], receivedAt: { $gt: '' } })).expect(400);
    await record(head, headCsrf, phoneComplaint({ receivedAt: '2026-02-30' })).expect(400);
    expect(await Ticket.countDocuments()).to.equal(before);
  });

  it('refuses a unit outside the recorder’s grants (403) and anyone signed out (401)', async () => {
    await record(head, headCsrf, phoneComplaint({ unitCode: 'AMB-DUKCAPIL' })).expect(403);
    await request(app).post('/api/v1/tickets/assisted').send(phoneComplaint()).expect(401);
  });

  it('files one ticket for a form sent twice with the same form token', async () => {
    const first = await record(head, headCsrf, phoneComplaint({ formToken: 'abc123' })).expect(201);
    const again = await record(head, headCsrf, phoneComplaint({ formToken: 'abc123' })).expect(200);
    expect(again.body.code).to.equal(first.body.code);
  });

  it('a letter received 20 days ago is already late: the receipt says so and the next run escalates it', async () => {
    const { body } = await record(head, headCsrf, phoneComplaint({ channel: 'letter', receivedAt: dayOf(-20) })).expect(
      201,
    );
    expect(body.alreadyLate).to.equal(true);
    await escalateBreaches({ publicUrl: 'http://localhost' });
    const ticket = (await Ticket.findOne({ code: body.code }).lean<TicketDoc>())!;
    expect(ticket.history.some((entry) => entry.action === 'escalated' && entry.from === 'verify')).to.equal(true);
  });

  it('a head named in the complaint may record it, but the unit above decides it', async () => {
    const { body } = await record(
      named,
      namedCsrf,
      phoneComplaint({ category: 'officer_conduct', officerNip: '198503152010012001' }),
    ).expect(201);
    const ticket = (await Ticket.findOne({ code: body.code }).lean<TicketDoc>())!;
    expect(ticket.decisionUnitCode).to.equal('JAMBI-DINKES');
    const refused = await named
      .patch(`/api/v1/tickets/${body.code}`)
      .set('X-CSRF-Token', namedCsrf)
      .send({ revision: ticket.revision, action: 'verify' })
      .expect(403);
    expect(refused.body.error.message).to.match(/menyebut Anda/);
  });

  it('works as a page without JavaScript: the form, its errors, then the receipt to print or send', async () => {
    const form = await head.get('/inbox/record').expect(200);
    expect(form.text).to.contain('name="receivedAt"').and.to.contain('name="channel"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
    const fields = {
      _csrf: csrf,
      unitCode: 'PKM-KEBUNHANDIL',
      channel: 'counter',
      receivedAt: dayOf(0),
      kind: 'compliment',
      description: 'Warga menyampaikan terima kasih atas pelayanan loket yang ramah.',
      phone: '081299990000',
      privacy: 'public',
      consent: 'on',
      lang: 'id',
    };
    const refused = await head
      .post('/inbox/record')
      .type('form')
      .send({ ...fields, receivedAt: dayOf(3) })
      .expect(400);
    expect(refused.text).to.contain('tidak boleh di masa depan').and.to.contain('terima kasih atas pelayanan');
    await head.post('/inbox/record').type('form').send(fields).expect(303).expect('Location', '/inbox/record/receipt');
    const receipt = await head.get('/inbox/record/receipt').expect(200);
    expect(receipt.text).to.contain('href="https://wa.me/6281299990000?text').and.to.contain('receipt-print.css');
    await request(app).get('/inbox/record').expect(303);
  });
});
