import { expect } from 'chai';
import express, { Router, type Express } from 'express';
import Joi from 'joi';
import request from 'supertest';
import { exampleOf, jsonSchemaOf, openApiDocument } from '../../src/platform/openapi.js';
import { validate } from '../../src/platform/validate.js';
import { useTestDatabase } from '../helpers/db.js';
import { PASSWORD, seedDirectory, signIn, testApp } from '../helpers/app.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * The router's own answer to "what does /api/v1 serve", read here independently of platform/openapi.ts: every route
 * layer, nested routers with their mount paths (Express 5 keeps it as the layer's raw path).
 */
function servedRoutes(app: Express): { method: string; path: string }[] {
  const served: { method: string; path: string }[] = [];
  const walk = (stack: Json[], base: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          const full = (base + path).replace(/\/+/g, '/');
          if (!full.startsWith('/api/v1/')) continue;
          for (const method of Object.keys(layer.route.methods).filter((m) => HTTP_METHODS.includes(m)))
            served.push({ method, path: full.replace(/:(\w+)/g, '{$1}') });
        }
      } else if (layer.handle?.stack) {
        walk(
          layer.handle.stack,
          base + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''),
        );
      }
    }
  };
  walk((app as unknown as { router: { stack: Json[] } }).router.stack, '');
  return served;
}

function operations(document: Json): { method: string; path: string; op: Json }[] {
  return Object.entries(document.paths as Record<string, Json>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, op: op as Json })),
  );
}

/** Every `$ref` in the document, with where it is. */
function refsIn(value: unknown, at = '#'): { ref: string; at: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [{ ref: inner, at }] : refsIn(inner, `${at}/${key}`),
  );
}

function resolve(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, part) => (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
      document,
    );
}

/** The error shape the document promises (components.schemas.Error), checked on a real answer. */
function expectDocumentedError(document: Json, body: Json, code: string) {
  const schema = document.components.schemas.Error.properties.error;
  expect(Object.keys(body)).to.deep.equal(['error']);
  for (const key of schema.required) expect(body.error).to.have.property(key);
  expect(schema.properties.code.enum).to.include(body.error.code);
  expect(body.error.code).to.equal(code);
  expect(body.error.message).to.be.a('string').and.not.equal('');
  if (body.error.fields) for (const text of Object.values(body.error.fields)) expect(text).to.be.a('string');
}

/**
 * Where a value departs from a JSON schema (the subset the document uses), as readable lines; [] when it conforms.
 * Objects may not carry keys the schema does not name: an answer that grew a field must say so in the document.
 */
function departures(schema: Json, value: unknown, at = '$'): string[] {
  if (Array.isArray(schema.anyOf)) {
    const each = (schema.anyOf as Json[]).map((option) => departures(option, value, at));
    return each.some((problems) => problems.length === 0) ? [] : [`${at}: matches none of anyOf (${each.flat()[0]})`];
  }
  if (Array.isArray(schema.enum))
    return schema.enum.includes(value) ? [] : [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum}`];
  const types = [schema.type ?? []].flat() as string[];
  const typeOf =
    value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.includes(typeOf) && !(typeOf === 'integer' && types.includes('number')))
    return [`${at}: ${typeOf}, the document says ${types.join(' or ')}`];
  if (schema.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value)))
    return [`${at}: ${value} is not a date-time`];
  if (typeOf === 'array' && schema.items)
    return (value as unknown[]).flatMap((item, i) => departures(schema.items, item, `${at}[${i}]`));
  if (typeOf === 'object' && schema.properties) {
    const object = value as Json;
    return [
      ...((schema.required ?? []) as string[]).filter((key) => !(key in object)).map((key) => `${at}.${key}: missing`),
      ...Object.keys(object)
        .filter((key) => !(key in schema.properties))
        .map((key) => `${at}.${key}: not in the document`),
      ...Object.entries(object)
        .filter(([key]) => key in schema.properties)
        .flatMap(([key, inner]) => departures(schema.properties[key], inner, `${at}.${key}`)),
    ];
  }
  return [];
}

const successSchema = (document: Json, method: string, path: string, status: number) =>
  document.paths[path][method].responses[status].content['application/json'].schema as Json;

describe('The OpenAPI document of the JSON API', () => {
  useTestDatabase();
  let app: Express;
  let document: Json;
  before(async () => {
    app = await testApp();
    await seedDirectory();
    document = (await request(app).get('/api/v1/openapi.json').expect(200).expect('Content-Type', /json/)).body;
  });

  it('describes every route the router serves under /api/v1, with each of its methods', () => {
    const served = servedRoutes(app);
    expect(served.length).to.be.greaterThan(80);
    const missing = served.filter(({ method, path }) => !document.paths[path]?.[method]);
    expect(
      missing.map(({ method, path }) => `${method.toUpperCase()} ${path}`),
      'served but missing from GET /api/v1/openapi.json: platform/openapi.ts reads plain string paths only, so give ' +
        'the route (and any router it is mounted on) a plain path rather than a pattern',
    ).to.deep.equal([]);
    const phantom = operations(document).filter((o) => !served.some((s) => s.method === o.method && s.path === o.path));
    expect(
      phantom.map((o) => `${o.method.toUpperCase()} ${o.path}`),
      'in the document but not served',
    ).to.deep.equal([]);
  });

  it('has a summary for every operation, written where the route is declared', () => {
    const undescribed = operations(document)
      .filter(({ op }) => op['x-undescribed'])
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(
      undescribed,
      'These routes have no description. Give each one `describe({ summary, body, query })` from ' +
        'platform/validate.ts as its first handler, naming the Joi schemas its use case checks (or pass a summary ' +
        'as the second argument of `validate()`); docs/api.md#describing-a-route shows how.',
    ).to.deep.equal([]);
  });

  it('is a well-formed OpenAPI 3.1 document: required fields, unique operation ids, declared tags', () => {
    expect(document.openapi).to.match(/^3\.1\.\d+$/);
    expect(document.info.title).to.be.a('string').and.not.equal('');
    expect(document.info.version).to.be.a('string').and.not.equal('');
    expect(document.jsonSchemaDialect).to.equal('https://json-schema.org/draft/2020-12/schema');
    const ids = operations(document).map(({ op }) => op.operationId);
    expect(new Set(ids).size, 'operationId must be unique').to.equal(ids.length);
    const tags = new Set((document.tags as Json[]).map((tag) => tag.name));
    for (const { method, path, op } of operations(document)) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(op.summary, name).to.be.a('string').and.not.equal('');
      expect(Object.keys(op.responses), name).not.to.be.empty;
      for (const tag of op.tags) expect(tags.has(tag), `${name} has tag ${tag}`).to.equal(true);
      for (const requirement of op.security as Json[])
        for (const scheme of Object.keys(requirement))
          expect(document.components.securitySchemes, name).to.have.property(scheme);
    }
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(document);
    expect(refs.length).to.be.greaterThan(100);
    const broken = refs.filter(({ ref }) => resolve(document, ref) === undefined);
    expect(broken.map(({ ref, at }) => `${ref} at ${at}`)).to.deep.equal([]);
  });

  it('declares every path parameter, and none the path does not have', () => {
    for (const { method, path, op } of operations(document)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = ((op.parameters ?? []) as Json[])
        .map((p) => (p.$ref ? (resolve(document, p.$ref) as Json) : p))
        .filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method.toUpperCase()} ${path}`).to.deep.equal(inPath);
      for (const parameter of declared) expect(parameter.required, `${path} {${parameter.name}}`).to.equal(true);
    }
  });

  it('tells integrators how to authenticate: the session cookie and API bearer tokens', () => {
    expect(document.components.securitySchemes.sessionCookie).to.include({ type: 'apiKey', in: 'cookie' });
    expect(document.components.securitySchemes.apiToken).to.include({ type: 'http', scheme: 'bearer' });
    const tokens = document.paths['/api/v1/auth/tokens'].post;
    expect(tokens.security).to.deep.equal([{ sessionCookie: [] }, { apiToken: [] }]);
    expect(document.paths['/api/v1/units'].get.security).to.deep.equal([]);
  });

  it('is right that every signed-in operation refuses a caller without a session or token (401)', async () => {
    const signedIn = operations(document).filter(({ op }) => op.security.length > 0);
    expect(signedIn.length).to.be.greaterThan(60);
    for (const { method, path } of signedIn) {
      const url = path.replace(/\{\w+\}/g, 'X1');
      const client = request(app) as unknown as Record<string, (url: string) => request.Test>;
      const response = await client[method](url).send({});
      expect(response.status, `${method.toUpperCase()} ${path}`).to.equal(401);
      expectDocumentedError(document, response.body, 'unauthenticated');
    }
  });

  it('describes a body the real route refuses as invalid, and an example it takes (API tokens)', async () => {
    const operation = document.paths['/api/v1/auth/tokens'].post;
    const media = operation.requestBody.content['application/json'];
    const name = media.schema.properties.name;
    expect(media.schema.required).to.include('name');
    const agent = request.agent(app);
    const csrf = await signIn(agent, 'admin.jambi@suara.test');

    const tooShort = 'x'.repeat(name.minLength - 1);
    const refused = await agent.post('/api/v1/auth/tokens').set('X-CSRF-Token', csrf).send({ name: tooShort });
    expect(refused.status).to.equal(400);
    expectDocumentedError(document, refused.body, 'validation');
    expect(refused.body.error.fields).to.have.property('name');

    const accepted = await agent.post('/api/v1/auth/tokens').set('X-CSRF-Token', csrf).send(media.example);
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(Number(Object.keys(operation.responses)[0]));
    expect(departures(successSchema(document, 'post', '/api/v1/auth/tokens', 201), accepted.body)).to.deep.equal([]);
    // The token works as the document's bearer scheme says.
    const me = await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${accepted.body.token}`);
    expect(me.status).to.equal(200);
    expect(me.body.email).to.equal('admin.jambi@suara.test');
  });

  it('names as required exactly the fields the real intake refuses to go without', async () => {
    const schema = document.paths['/api/v1/tickets'].post.requestBody.content['application/json'].schema;
    const answer = await request(app).post('/api/v1/tickets').send({}).expect(400);
    expectDocumentedError(document, answer.body, 'validation');
    expect(Object.keys(answer.body.error.fields).sort()).to.deep.equal([...schema.required].sort());
    // …and the one the document makes required for a complaint only.
    expect(schema.allOf).to.deep.include({
      if: { properties: { kind: { enum: ['complaint'] } }, required: ['kind'] },
      then: { required: ['category'] },
    });
    const complaint = { kind: 'complaint', unitCode: 'PKM-KEBUNHANDIL', privacy: 'public', consent: true };
    const noCategory = await request(app)
      .post('/api/v1/tickets')
      .send({ ...complaint, description: 'Petugas tidak datang ke loket sepanjang pagi.' })
      .expect(400);
    expect(Object.keys(noCategory.body.error.fields)).to.deep.equal(['category']);
    await request(app)
      .post('/api/v1/tickets')
      .send({ ...complaint, kind: 'suggestion', description: 'Mohon tambah kursi di ruang tunggu poli umum.' })
      .expect(201);
  });

  it('describes a query parameter whose broken value the real route refuses, and a good one it takes', async () => {
    const unitCode = document.paths['/api/v1/officers'].get.parameters.find((p: Json) => p.name === 'unitCode');
    expect(unitCode).to.include({ in: 'query', required: false });
    const pattern = new RegExp(unitCode.schema.anyOf[0].pattern);
    const agent = request.agent(app);
    await signIn(agent, 'admin.jambi@suara.test');
    expect(pattern.test('bukan kode!')).to.equal(false);
    const refused = await agent.get('/api/v1/officers').query({ unitCode: 'bukan kode!' }).expect(400);
    expect(refused.body.error.fields).to.have.property('unitCode');
    expect(pattern.test('PKM-KEBUNHANDIL')).to.equal(true);
    await agent.get('/api/v1/officers').query({ unitCode: 'PKM-KEBUNHANDIL' }).expect(200);
  });

  it('answers the public intake, the unit list and sign-in in the shapes the document gives', async () => {
    const units = await request(app).get('/api/v1/units').expect(200);
    expect(units.body).to.have.length.greaterThan(3);
    expect(departures(successSchema(document, 'get', '/api/v1/units', 200), units.body)).to.deep.equal([]);

    const ticket = await request(app).post('/api/v1/tickets').send({
      kind: 'complaint',
      unitCode: 'PKM-KEBUNHANDIL',
      category: 'officer_conduct',
      description: 'Antrean di loket pendaftaran tidak bergerak selama dua jam tanpa penjelasan.',
      privacy: 'public',
      consent: true,
    });
    expect(ticket.status, JSON.stringify(ticket.body)).to.equal(201);
    expect(departures(successSchema(document, 'post', '/api/v1/tickets', 201), ticket.body)).to.deep.equal([]);

    // A survey built from the document: the first allowed value of each respondent field, nine answers.
    const survey = document.paths['/api/v1/surveys'].post.requestBody.content['application/json'].schema;
    const respondent = Object.fromEntries(
      Object.entries(survey.properties.respondent.properties as Record<string, Json>).map(([key, field]) => [
        key,
        field.enum?.[0],
      ]),
    );
    const answer = survey.properties.answers.items;
    const answered = await request(app)
      .post('/api/v1/surveys')
      .send({
        unitCode: 'PKM-KEBUNHANDIL',
        serviceCode: 'POLI-UMUM',
        answers: Array(9).fill(answer.maximum),
        respondent,
      });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(201);
    expect(departures(successSchema(document, 'post', '/api/v1/surveys', 201), answered.body)).to.deep.equal([]);

    const login = await request(app)
      .post('/api/v1/auth/login')
      .send({ email: 'petugas@suara.test', password: PASSWORD })
      .expect(200);
    expect(departures(successSchema(document, 'post', '/api/v1/auth/login', 200), login.body)).to.deep.equal([]);
  });

  it('marks the idempotent intake and its Idempotency-Key header', () => {
    for (const path of ['/api/v1/tickets', '/api/v1/surveys'])
      expect(document.paths[path].post.parameters).to.deep.include({ $ref: '#/components/parameters/IdempotencyKey' });
  });

  it('picks up a router mounted later under a path, and flags a route nobody described', () => {
    const extra = Router();
    extra.post(
      '/kiosks',
      validate({ body: Joi.object({ code: Joi.string().min(2).required() }) }, { summary: 'Add a kiosk' }),
    );
    extra.get('/kiosks/:id', (_req, res) => void res.json({}));
    const small = express();
    small.use('/api/v1/extra', Router().use(extra));
    const made = openApiDocument(small, { serverUrl: 'http://localhost' }) as Json;
    expect(made.paths['/api/v1/extra/kiosks'].post.summary).to.equal('Add a kiosk');
    expect(made.paths['/api/v1/extra/kiosks'].post.requestBody.content['application/json'].schema).to.deep.include({
      type: 'object',
      required: ['code'],
    });
    expect(made.paths['/api/v1/extra/kiosks/{id}'].get['x-undescribed']).to.equal(true);
  });
});

describe('Joi schemas as JSON Schema 2020-12', () => {
  it('keeps types, required keys, enums, bounds, patterns, formats, nesting and defaults', () => {
    const schema = jsonSchemaOf(
      Joi.object({
        code: Joi.string()
          .trim()
          .min(2)
          .max(40)
          .pattern(/^[A-Z]+$/)
          .required(),
        email: Joi.string().email().allow(''),
        count: Joi.number().integer().min(1).max(10).default(3),
        ratio: Joi.number().greater(0).less(1),
        kind: Joi.string().valid('a', 'b').required(),
        tags: Joi.array().items(Joi.string().max(5)).min(1).max(3).unique(),
        when: Joi.date().iso().allow(null),
        on: Joi.boolean(),
        reporter: Joi.object({ name: Joi.string().required() }),
        extra: Joi.object().pattern(Joi.string(), Joi.number()),
        hidden: Joi.any().strip(),
      }),
    );
    expect(schema).to.deep.equal({
      type: 'object',
      properties: {
        code: { type: 'string', minLength: 2, maxLength: 40, pattern: '^[A-Z]+$' },
        email: { anyOf: [{ type: 'string', format: 'email' }, { enum: [''] }] },
        count: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
        ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
        kind: { enum: ['a', 'b'] },
        tags: { type: 'array', items: { type: 'string', maxLength: 5 }, minItems: 1, maxItems: 3, uniqueItems: true },
        when: { type: ['string', 'null'], format: 'date-time' },
        on: { type: 'boolean' },
        reporter: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        extra: { type: 'object', additionalProperties: { type: 'number' } },
      },
      required: ['code', 'kind'],
    });
  });

  it('turns alternatives into anyOf, and a rule it cannot express into the plain type', () => {
    expect(jsonSchemaOf(Joi.alternatives().try(Joi.string(), Joi.number().integer()))).to.deep.equal({
      anyOf: [{ type: 'string' }, { type: 'integer' }],
    });
    const custom = Joi.string().custom((value: string) => value.toUpperCase());
    expect(jsonSchemaOf(custom)).to.deep.equal({ type: 'string' });
    expect(jsonSchemaOf(Joi.any())).to.deep.equal({});
  });

  it('gives an example only when the Joi schema itself accepts it', () => {
    const schema = Joi.object({ name: Joi.string().min(3).required(), size: Joi.number().min(5).max(9) });
    const example = exampleOf(jsonSchemaOf(schema));
    expect(schema.validate(example).error).to.equal(undefined);
    expect(
      exampleOf(
        jsonSchemaOf(
          Joi.object({
            nip: Joi.string()
              .pattern(/^\d{18}$/)
              .required(),
          }),
        ),
      ),
    ).to.equal(undefined);
  });
});
