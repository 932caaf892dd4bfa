import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createApiToken } from '../../src/modules/accounts/tokens.js';
import { User } from '../../src/modules/accounts/model.js';
import { toActor } from '../../src/modules/accounts/actors.js';
import { Ticket } from '../../src/modules/feedback/model.js';
import { AuditEntry } from '../../src/platform/audit-log.js';
import { resetRateLimits, useTestDatabase } from '../helpers/db.js';
import { seedDirectory, testApp } from '../helpers/app.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the shapes its own examples document, in JSON and in XML,
 * the filters of GET requests, filing with an API token, and the spec's error list.
 */
describe('Open311 GeoReport v2 answers in the shapes the specification documents', () => {
  useTestDatabase();
  let app: Express;
  let dinkesKey: string;
  // The XML as a client library reads it: repeated elements always as lists, text never turned into numbers.
  const xml = new XMLParser({
    ignoreDeclaration: true,
    parseTagValue: false,
    isArray: (name) => ['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format'].includes(name),
  });
  const readXml = (text: string) => {
    expect(XMLValidator.validate(text)).to.equal(true);
    expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).to.equal(true);
    return xml.parse(text) as Doc;
  };
  const file = (fields: Record<string, string>) =>
    request(app).post('/open311/v2/requests.json').type('form').send(fields);
  const ownerToken = async (email: string) => {
    const user = await User.findOne({ email });
    return (await createApiToken(toActor(user!), { name: `open311 ${email}`, expiresInDays: 30 })).token;
  };

  before(async () => {
    app = await testApp();
    await seedDirectory();
    dinkesKey = await ownerToken('kepala.dinkes@suara.test');
  });
  beforeEach(resetRateLimits);

  it('describes itself in discovery.json and discovery.xml', async () => {
    const json = await request(app).get('/open311/v2/discovery.json').expect(200);
    expect(json.body.endpoints[0]).to.include({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      type: 'production',
    });
    expect(json.body.endpoints[0].url).to.match(/\/open311\/v2$/);
    expect(json.body.endpoints[0].formats).to.deep.equal(['text/xml', 'application/json']);
    const text = await request(app)
      .get('/open311/v2/discovery.xml')
      .expect(200)
      .expect('Content-Type', /text\/xml/);
    const doc = readXml(text.text);
    expect(doc.discovery.endpoints.endpoint[0].formats.format).to.deep.equal(['text/xml', 'application/json']);
  });

  it('lists each active category at each unit as a realtime service, with the same fields in both formats', async () => {
    const json = await request(app).get('/open311/v2/services.json').expect(200);
    const waiting = json.body.find((service: Doc) => service.service_code === 'PKM-KEBUNHANDIL.waiting_time');
    expect(waiting).to.deep.equal({
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      service_name: 'Waktu tunggu lama',
      description: 'Waktu tunggu lama di Puskesmas Kebun Handil',
      metadata: true,
      type: 'realtime',
      keywords: 'PKM-KEBUNHANDIL,JAMBI,waiting_time,complaint,suggestion',
      group: 'Puskesmas Kebun Handil',
    });
    const doc = readXml((await request(app).get('/open311/v2/services.xml').expect(200)).text);
    const fromXml = doc.services.service.find((service: Doc) => service.service_code === waiting.service_code);
    expect(fromXml).to.deep.equal({ ...waiting, metadata: 'true' });
    expect(doc.services.service).to.have.length(json.body.length);
    // jurisdiction_id narrows the list to one unit.
    const ambon = await request(app).get('/open311/v2/services.json?jurisdiction_id=AMB-DUKCAPIL').expect(200);
    expect(ambon.body.length).to.be.greaterThan(0);
    expect(ambon.body.every((service: Doc) => service.service_code.startsWith('AMB-DUKCAPIL.'))).to.equal(true);
  });

  it('defines a service by its attributes, and answers an unknown one with a 404 error list', async () => {
    const json = await request(app)
      .get('/open311/v2/services/PKM-KEBUNHANDIL.officer_conduct.json?lang=en')
      .expect(200);
    expect(json.body.service_code).to.equal('PKM-KEBUNHANDIL.officer_conduct');
    const privacy = json.body.attributes.find((attribute: Doc) => attribute.code === 'privacy');
    expect(privacy).to.include({ variable: true, datatype: 'singlevaluelist', required: false, order: 2 });
    expect(privacy.values.map((value: Doc) => value.key)).to.deep.equal(['public', 'anonymous', 'confidential']);
    const kind = json.body.attributes.find((attribute: Doc) => attribute.code === 'kind');
    expect(kind.values).to.deep.equal([
      { key: 'complaint', name: 'Complaint' },
      { key: 'compliment', name: 'Compliment' },
    ]);
    const doc = readXml(
      (await request(app).get('/open311/v2/services/PKM-KEBUNHANDIL.officer_conduct.xml').expect(200)).text,
    );
    expect(doc.service_definition.attributes.attribute).to.have.length(json.body.attributes.length);
    expect(doc.service_definition.attributes.attribute[1].values.value[2]).to.deep.equal({
      key: 'confidential',
      name: 'Rahasia',
    });

    const missing = await request(app).get('/open311/v2/services/PKM-KEBUNHANDIL.no_such.json?lang=en').expect(404);
    expect(missing.body).to.deep.equal([{ code: 404, description: 'service_code PKM-KEBUNHANDIL.no_such not found.' }]);
    const missingXml = readXml((await request(app).get('/open311/v2/services/NOPE.other.xml').expect(404)).text);
    expect(missingXml.errors.error[0].code).to.equal('404');
  });

  it('files a request as an ordinary complaint from the open311 channel, contact details sealed', async () => {
    const response = await file({
      api_key: dinkesKey,
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      lat: '-1.6101',
      long: '103.6131',
      description: 'Antrean pendaftaran lebih dari dua jam, hubungi 0812-3456-7890.',
      email: 'warga@contoh.id',
      first_name: 'Rina',
      last_name: 'Wati',
      phone: '081234567890',
    }).expect(201);
    expect(response.body).to.have.length(1);
    const [created] = response.body;
    expect(created).to.have.keys(['service_request_id', 'service_notice', 'account_id']);
    const ticket = await Ticket.findOne({ code: created.service_request_id }).lean();
    expect(ticket).to.include({
      kind: 'complaint',
      category: 'waiting_time',
      unitCode: 'PKM-KEBUNHANDIL',
      channel: 'open311',
      privacy: 'public',
      status: 'received',
    });
    expect(ticket!.description).to.not.contain('0812');
    const stored = JSON.stringify(ticket);
    for (const secret of ['warga@contoh.id', 'Rina', '081234567890']) expect(stored).to.not.contain(secret);
    expect(await AuditEntry.countDocuments({ action: 'open311.request', target: created.service_request_id })).to.equal(
      1,
    );

    // The same in XML, with the attributes of the service definition.
    const xmlAnswer = await request(app)
      .post('/open311/v2/requests.xml')
      .type('form')
      .send({
        api_key: dinkesKey,
        service_code: 'PKM-PUTRIAYU.officer_conduct',
        'attribute[kind]': 'compliment',
        'attribute[privacy]': 'anonymous',
        description: 'Bidan di poli KIA sangat sabar dan ramah kepada kami.',
      })
      .expect(201);
    const doc = readXml(xmlAnswer.text);
    const id = doc.service_requests.request[0].service_request_id;
    expect(await Ticket.findOne({ code: id }).lean()).to.include({ kind: 'compliment', privacy: 'anonymous' });
  });

  it('files forty requests sent at once, each once, all from the open311 channel', async () => {
    const before = await Ticket.countDocuments({ channel: 'open311' });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        file({
          api_key: dinkesKey,
          service_code: index % 2 ? 'PKM-KEBUNHANDIL.facilities' : 'PKM-PUTRIAYU.waiting_time',
          description: `Laporan serentak nomor ${index} tentang layanan hari ini.`,
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).to.deep.equal(Array(40).fill(201));
    const ids = new Set(answers.map((answer) => answer.body[0].service_request_id));
    expect(ids.size).to.equal(40);
    expect(await Ticket.countDocuments({ channel: 'open311' })).to.equal(before + 40);
  });

  it('refuses a request without an api_key, with an unknown one, or for a unit outside its grant, and files nothing', async () => {
    const before = await Ticket.countDocuments();
    const fields = {
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      description: 'Antrean sangat panjang sekali hari ini.',
    };
    const absent = await file(fields).set('Accept-Language', 'en').expect(400);
    expect(absent.body).to.deep.equal([{ code: 400, description: 'api_key is required to submit a request.' }]);
    const wrong = await file({ ...fields, api_key: `${dinkesKey.slice(0, -3)}xyz` }).expect(403);
    expect(wrong.body[0]).to.deep.equal({
      code: 403,
      description: 'api_key tidak dikenal, sudah dicabut, atau kedaluwarsa.',
    });
    const elsewhere = await file({ ...fields, api_key: dinkesKey, service_code: 'AMB-DUKCAPIL.waiting_time' })
      .set('Accept-Language', 'en')
      .expect(403);
    expect(elsewhere.body[0].description).to.equal('This api_key is not valid for the service unit AMB-DUKCAPIL.');
    // A key in the query string, as some clients send it, counts like one in the body.
    const xmlRefusal = await request(app)
      .post('/open311/v2/requests.xml?api_key=nonsense')
      .type('form')
      .send(fields)
      .expect(403);
    expect(readXml(xmlRefusal.text).errors.error[0].code).to.equal('403');
    // A caller without a valid key learns nothing about its parameters or the services.
    const probe = await file({ api_key: 'nonsense', service_code: 'NOPE.nothing', lat: 'north' }).expect(403);
    expect(probe.body).to.have.length(1);
    expect(await Ticket.countDocuments()).to.equal(before);
  });

  it('answers bad input with one 400 error per parameter, in the reader’s language', async () => {
    const before = await Ticket.countDocuments();
    const bad = await file({
      api_key: dinkesKey,
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      lat: 'north',
      long: '500',
    })
      .set('Accept-Language', 'en')
      .expect(400);
    expect(bad.body).to.deep.equal([
      { code: 400, description: 'Parameter lat: Must be a number.' },
      { code: 400, description: 'Parameter long: At most 180.' },
    ]);
    const short = await file({
      api_key: dinkesKey,
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      description: 'pendek',
      email: 'not-an-address',
      'attribute[privacy]': 'secret',
    }).expect(400);
    const named = short.body.map((error: Doc) => error.description.split(':')[0]);
    expect(named).to.include.members(['Parameter description', 'Parameter email', 'Parameter attribute[privacy]']);
    expect(short.body.every((error: Doc) => error.code === 400)).to.equal(true);
    await file({ api_key: dinkesKey, description: 'Tanpa kode layanan sama sekali.' }).expect(400);
    const unknown = await file({
      api_key: dinkesKey,
      service_code: 'PKM-KEBUNHANDIL.nope',
      description: 'Kode layanan keliru sekali.',
    }).expect(404);
    expect(unknown.body[0].code).to.equal(404);
    await request(app).post('/open311/v2/services.json').type('form').send({ api_key: dinkesKey }).expect(404);
    expect(await Ticket.countDocuments()).to.equal(before);
  });
});

describe('Open311 GET requests shows public requests only, filtered as the specification says', () => {
  useTestDatabase();
  let app: Express;
  let key: string;
  const codes: Record<string, string> = {};
  const DAY = 24 * 3600 * 1000;

  const fileOne = async (name: string, fields: Record<string, string>) => {
    const response = await request(app)
      .post('/open311/v2/requests.json')
      .type('form')
      .send({ api_key: key, ...fields })
      .expect(201);
    codes[name] = response.body[0].service_request_id;
  };

  before(async () => {
    app = await testApp();
    await seedDirectory();
    const user = await User.findOne({ email: 'admin.jambi@suara.test' });
    key = (await createApiToken(toActor(user!), { name: 'open311', expiresInDays: 30 })).token;
    await fileOne('waiting', {
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      description: 'Antrean panjang <script>alert("x")</script> & "kutip" \'tunggal\' ]]> \u0001 selesai.',
      email: 'rahasia@contoh.id',
      first_name: 'Rahasia',
    });
    await fileOne('unmoderated', {
      service_code: 'PKM-KEBUNHANDIL.facilities',
      description: 'Kursi ruang tunggu banyak yang rusak.',
    });
    await fileOne('confidential', {
      service_code: 'PKM-PUTRIAYU.illegal_fee',
      description: 'Diminta uang tambahan di loket pendaftaran.',
      'attribute[privacy]': 'confidential',
    });
    await fileOne('anonymous', {
      service_code: 'PKM-PUTRIAYU.waiting_time',
      description: 'Antrean bayi imunisasi sangat panjang pagi ini.',
      'attribute[privacy]': 'anonymous',
    });
    await fileOne('closed', {
      service_code: 'PKM-PUTRIAYU.procedure',
      description: 'Persyaratan tidak diumumkan di loket.',
    });
    await fileOne('old', {
      service_code: 'PKM-PUTRIAYU.procedure',
      description: 'Persyaratan berubah tanpa pemberitahuan.',
    });
    // A verifier accepted two, one was answered and closed, one was filed long ago.
    await Ticket.updateOne({ code: codes.waiting }, { $set: { status: 'in_progress' } });
    await Ticket.updateOne({ code: codes.closed }, { $set: { status: 'closed' } });
    await Ticket.updateOne({ code: codes.anonymous }, { $set: { status: 'in_progress' } });
    await Ticket.collection.updateOne(
      { code: codes.old },
      { $set: { status: 'verified', createdAt: new Date(Date.now() - 200 * DAY) } },
    );
  });
  beforeEach(resetRateLimits);

  const ids = (body: Doc[]) => body.map((request) => request.service_request_id).sort();

  it('lists the last 90 days without confidential or anonymous requests, and never the reporter', async () => {
    const response = await request(app).get('/open311/v2/requests.json').expect(200);
    expect(ids(response.body)).to.deep.equal([codes.waiting, codes.unmoderated, codes.closed].sort());
    const waiting = response.body.find((request: Doc) => request.service_request_id === codes.waiting);
    expect(waiting).to.include({
      status: 'open',
      service_code: 'PKM-KEBUNHANDIL.waiting_time',
      service_name: 'Waktu tunggu lama',
      agency_responsible: 'Puskesmas Kebun Handil',
    });
    // Every field of the specification's GET requests example, in both formats.
    const specFields = [
      'service_request_id',
      'status',
      'status_notes',
      'service_name',
      'service_code',
      'description',
      'agency_responsible',
      'service_notice',
      'requested_datetime',
      'updated_datetime',
      'expected_datetime',
      'address',
      'address_id',
      'zipcode',
      'lat',
      'long',
      'media_url',
    ];
    expect(Object.keys(waiting)).to.have.members(specFields);
    expect(new Date(waiting.requested_datetime).toISOString()).to.equal(waiting.requested_datetime);
    const xmlList = new XMLParser({ ignoreDeclaration: true, isArray: (name) => name === 'request' }).parse(
      (await request(app).get('/open311/v2/requests.xml').expect(200)).text,
    ) as Doc;
    for (const item of xmlList.service_requests.request) expect(Object.keys(item)).to.have.members(specFields);
    expect(JSON.stringify(response.body)).to.not.match(/rahasia@contoh|Rahasia/);
    // Text awaits a verifier before anyone reads it.
    const unmoderated = response.body.find((request: Doc) => request.service_request_id === codes.unmoderated);
    expect(unmoderated.description).to.equal('');
    await request(app).get(`/open311/v2/requests/${codes.confidential}.json`).expect(404);
    await request(app).get(`/open311/v2/requests/${codes.anonymous}.xml`).expect(404);
    await request(app).get(`/open311/v2/tokens/${codes.anonymous}.json`).expect(404);
  });

  it('filters by ids, service code, dates and status', async () => {
    const byIds = await request(app)
      .get(
        `/open311/v2/requests.json?service_request_id=${codes.old},${codes.confidential},${codes.anonymous},${codes.waiting.toLowerCase()},x<y`,
      )
      .expect(200);
    expect(ids(byIds.body)).to.deep.equal([codes.old, codes.waiting].sort());
    const byService = await request(app)
      .get('/open311/v2/requests.json?service_code=PKM-PUTRIAYU.procedure')
      .expect(200);
    expect(ids(byService.body)).to.deep.equal([codes.closed]);
    const closed = await request(app).get('/open311/v2/requests.json?status=closed').expect(200);
    expect(ids(closed.body)).to.deep.equal([codes.closed]);
    const open = await request(app).get('/open311/v2/requests.json?status=open').expect(200);
    expect(ids(open.body)).to.deep.equal([codes.waiting, codes.unmoderated].sort());
    const start = new Date(Date.now() - 300 * DAY).toISOString();
    const end = new Date(Date.now() - 100 * DAY).toISOString();
    const longAgo = await request(app).get(`/open311/v2/requests.json?start_date=${start}&end_date=${end}`).expect(200);
    expect(ids(longAgo.body)).to.deep.equal([codes.old]);
    const backwards = await request(app)
      .get(`/open311/v2/requests.json?start_date=${end}&end_date=${start}&lang=en`)
      .expect(400);
    expect(backwards.body).to.deep.equal([
      { code: 400, description: 'Parameter start_date: start_date must come before end_date.' },
    ]);
    const badDate = await request(app).get('/open311/v2/requests.xml?start_date=yesterday').expect(400);
    expect(badDate.text).to.contain('<errors><error><code>400</code><description>');
    await request(app).get('/open311/v2/requests.json?status=pending').expect(400);
  });

  it('reads one request and its token in both formats, hostile text escaped in XML', async () => {
    const json = await request(app).get(`/open311/v2/requests/${codes.waiting}.json`).expect(200);
    expect(json.body).to.have.length(1);
    expect(json.body[0].description).to.contain('<script>alert("x")</script>');
    const text = (await request(app).get(`/open311/v2/requests/${codes.waiting}.xml`).expect(200)).text;
    expect(text).to.not.contain('<script>');
    expect(text).to.not.contain('\u0001');
    const xml = new XMLParser({ ignoreDeclaration: true, parseTagValue: false, isArray: (name) => name === 'request' });
    expect(XMLValidator.validate(text)).to.equal(true);
    const parsed = xml.parse(text) as Doc;
    expect(parsed.service_requests.request[0].description).to.equal(json.body[0].description.replace('\u0001', ''));
    expect(parsed.service_requests.request[0].description).to.contain(`& "kutip" 'tunggal' ]]>`);
    const token = await request(app).get(`/open311/v2/tokens/${codes.waiting}.json`).expect(200);
    expect(token.body).to.deep.equal([{ service_request_id: codes.waiting, token: codes.waiting }]);
    await request(app).get('/open311/v2/requests/NOSUCHCODE.xml').expect(404);
    await request(app).get('/open311/v2/nothing.json').expect(404);
  });
});
