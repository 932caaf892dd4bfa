import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Express } from 'express';
import fc from 'fast-check';
import Joi from 'joi';
import type request from 'supertest';
import { projectRoot } from '../../src/platform/paths.js';

// Mocha loads specs (and so the app's modules) through require: the same registry finds them loaded already.
const requireHere = createRequire(import.meta.url);

/** One route of the app as its router table has it. */
export interface RouteEntry {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route of the app, read from Express's own tables, so a route added tomorrow is fuzzed tomorrow. */
export function routesOf(app: Express): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const routePath of [layer.route.path].flat())
          for (const method of Object.keys(layer.route.methods))
            if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
              routes.push({ method: method as RouteEntry['method'], path: routePath });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  // A gate on some routes (app.post(paths, gate)) lists them a second time.
  const seen = new Set<string>();
  return routes.filter(
    (route) => !seen.has(`${route.method} ${route.path}`) && seen.add(`${route.method} ${route.path}`),
  );
}

type Description = Joi.Description & {
  keys?: Record<string, Description>;
  items?: Description[];
  allow?: unknown[];
  rules?: { name: string; args?: { limit?: number } }[];
  matches?: { schema?: Description; then?: Description }[];
};

/** Field name → the ways the app's Joi schemas describe it, from every exported schema of every module. */
export async function fieldsOfSchemas(): Promise<Map<string, Description[]>> {
  const fields = new Map<string, Description[]>();
  const visit = (description: Description, depth: number) => {
    if (depth > 6) return;
    for (const [name, child] of Object.entries(description.keys ?? {})) {
      fields.set(name, [...(fields.get(name) ?? []), child]);
      visit(child, depth + 1);
    }
    for (const item of description.items ?? []) visit(item, depth + 1);
  };
  // Every schema file of every module, sub-folders included.
  const schemaFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return schemaFiles(full);
      return entry.name.endsWith('.ts') && readFileSync(full, 'utf8').includes('Joi.object') ? [full] : [];
    });
  for (const full of schemaFiles(path.join(projectRoot, 'src', 'modules'))) {
    const exported = requireHere(full.replace(/\.ts$/, '.js')) as Record<string, unknown>;
    for (const value of Object.values(exported))
      if (Joi.isSchema(value)) visit((value as Joi.Schema).describe() as Description, 0);
  }
  return fields;
}

/** Values the seeded database knows, so that some requests get past validation into the services. */
export interface KnownValues {
  strings: string[];
  byParam: Record<string, string[]>;
}

const limitOf = (description: Description, name: string) =>
  description.rules?.find((rule) => rule.name === name)?.args?.limit;

/** A value that a schema would likely accept, from its description and the values the database knows. */
function plausible(description: Description, known: KnownValues, depth = 0): fc.Arbitrary<unknown> {
  const flags = (description.flags ?? {}) as { only?: boolean };
  const allowed = (description.allow ?? []).filter((value) => typeof value !== 'object' || value === null);
  if (flags.only && allowed.length) return fc.constantFrom(...allowed);
  switch (description.type) {
    case 'number': {
      const min = limitOf(description, 'min') ?? -5;
      const max = limitOf(description, 'max') ?? Math.max(min, 0) + 100;
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.max(min, max)) });
    }
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.constantFrom('2026-11-01', '2026-12-01T08:30:00+07:00', '2025-01-31');
    case 'object': {
      if (depth > 3 || !description.keys) return fc.constant({});
      const keys = description.keys;
      return fc.record(
        Object.fromEntries(Object.entries(keys).map(([name, child]) => [name, plausible(child, known, depth + 1)])),
        { requiredKeys: [] },
      );
    }
    case 'array': {
      const item = description.items?.[0];
      const length = limitOf(description, 'length');
      const min = length ?? limitOf(description, 'min') ?? 0;
      const max = length ?? Math.min(limitOf(description, 'max') ?? 12, 12);
      return fc.array(item && depth <= 3 ? plausible(item, known, depth + 1) : fc.constantFrom(...known.strings), {
        minLength: Math.min(min, 12),
        maxLength: Math.max(Math.min(min, 12), max),
      });
    }
    case 'alternatives': {
      const options = (description.matches ?? []).flatMap((match) => [match.schema, match.then].filter(Boolean));
      return options.length
        ? fc.oneof(...options.map((option) => plausible(option as Description, known, depth + 1)))
        : fc.constantFrom(...known.strings);
    }
    default:
      return fc.oneof(fc.constantFrom(...known.strings, ...allowed), fc.string({ maxLength: 40 }));
  }
}

const forgedObjectId = fc.stringMatching(/^[0-9a-f]{24}$/);
const forgedTicketCode = fc.stringMatching(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
const forgedNip = fc.stringMatching(/^[0-9]{18}$/);

/** Strings no form would send: null bytes, operators as text, lone surrogates, path tricks, very long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{bad',
    '[1,',
    'null',
    'NaN',
    '1e309',
    '-0',
    '0x1f',
    '$gt',
    '{"$gt":""}',
    '{"$where":"sleep(1000)"}',
    '../../../etc/passwd',
    '<script>alert(1)</script>',
    '\u202e\u0000',
    '\ud800',
    '__proto__',
    'constructor',
    '%00',
    '2026-02-30T25:61:00Z',
    '99999-12-31',
  ),
  fc.string({ maxLength: 20 }).map((text) => `${text}\u0000${text}`),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.integer({ min: 4_000, max: 30_000 }).map((length) => 'ü'.repeat(length)),
  forgedObjectId,
  forgedTicketCode,
  forgedNip,
);

function nested(depth: number, leaf: unknown, asArray: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value, $gt: '' };
  return value;
}

/** Values of the wrong type or shape: numbers, operators, arrays for scalars, deeply nested objects, prototypes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1)),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    { $gt: '' },
    { $ne: null },
    { $regex: '.*', $options: 'i' },
    { $where: 'sleep(100)' },
    { $exists: true },
    { $expr: { $eq: [1, 1] } },
  ),
  fc.constant(JSON.parse('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}') as unknown),
  fc.array(hostileString, { maxLength: 5 }),
  fc.array(fc.oneof(fc.integer(), fc.constant({ $gt: '' })), { maxLength: 5 }),
  fc.tuple(fc.integer({ min: 20, max: 3000 }), fc.boolean()).map(([depth, asArray]) => nested(depth, 'x', asArray)),
);

/** How the body travels: as JSON, as broken JSON, as a form, as multipart, as broken multipart, or not at all. */
export type Encoding = 'json' | 'json-raw' | 'form' | 'multipart' | 'multipart-raw' | 'none';

export interface RequestPlan {
  params: Record<string, string>;
  /** Sent as is in place of every path parameter: broken percent-encoding. */
  rawParam?: string;
  query: [string, string][];
  encoding: Encoding;
  body: Record<string, unknown>;
  raw: string;
  file?: { bytes: Uint8Array; name: string; type: string };
}

const malformedJson = fc.constantFrom(
  '{"kind": "complaint", ',
  '{bad',
  '"just a string"',
  '42',
  'null',
  '[',
  '{"a":1}{"b":2}',
  '{"description": "\\ud800\\u0000"}',
  '{"__proto__": {"isAdmin": true}}',
  '\u0000\u0001\u0002',
);
const malformedMultipart = fc.constantFrom(
  '--XBOUNDARY\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncomplaint',
  '--XBOUNDARY\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--XBOUNDARY--',
  '--XBOUNDARY\r\nContent-Disposition: form-data; name="attachments"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff',
  'not multipart at all',
  '--WRONG\r\n\r\n--WRONG--',
  '',
);

/** A request plan for a route: path parameters, query, body and its encoding, hostile or plausible field by field. */
export function requestPlan(
  route: RouteEntry,
  fields: Map<string, Description[]>,
  known: KnownValues,
): fc.Arbitrary<RequestPlan> {
  const paramNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const paramValue = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...(known.byParam[name] ?? known.strings)) },
      { weight: 2, arbitrary: fc.oneof(forgedObjectId, forgedTicketCode, forgedNip) },
      { weight: 2, arbitrary: hostileString.map((value) => value.slice(0, 400)) },
    );
  const fieldNames = [...fields.keys()].filter((name) => /^[\w$]+$/.test(name));
  const fieldValue = (name: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.oneof(...fields.get(name)!.map((description) => plausible(description, known))) },
      { weight: 1, arbitrary: hostileValue },
    );
  const queryValue = fc.oneof(
    fc.constantFrom(...known.strings),
    hostileString.map((value) => value.slice(0, 300)),
  );
  const isRead = route.method === 'get';
  return fc.record({
    params: fc.record(Object.fromEntries(paramNames.map((name) => [name, paramValue(name)]))),
    rawParam: fc.option(
      fc.constantFrom('%E0%A4%A', '%', '%zz', '%C0%AE%C0%AE', '%ED%A0%80', '%2e%2e%2f%2e%2e', '%00'),
      {
        freq: 8,
        nil: undefined,
      },
    ),
    query: fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...fieldNames), fc.constantFrom('lang', 'token', 'a[$gt]')), queryValue),
      {
        maxLength: 6,
      },
    ),
    encoding: isRead
      ? fc.constant<Encoding>('none')
      : fc.constantFrom<Encoding>('json', 'json', 'json', 'json-raw', 'form', 'multipart', 'multipart-raw'),
    body: fc.record(Object.fromEntries(fieldNames.map((name) => [name, fieldValue(name)])), { requiredKeys: [] }),
    raw: fc.oneof(malformedJson, malformedMultipart),
    file: fc.option(
      fc.record({
        bytes: fc.oneof(
          fc.uint8Array({ maxLength: 2_000 }),
          fc.uint8Array({ maxLength: 500 }).map((tail) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, ...tail])),
          fc.constant(Uint8Array.from(Buffer.from('%PDF-1.7\n%broken'))),
        ),
        name: fc.oneof(
          fc.constantFrom('foto.jpg', 'surat.pdf', '../../x.exe'),
          hostileString.map((s) => s.slice(0, 300)),
        ),
        type: fc.constantFrom('image/jpeg', 'image/png', 'application/pdf', 'text/html', 'application/octet-stream'),
      }),
      { nil: undefined },
    ),
  });
}

/** Plans every route gets whatever the seed: the classic attacks, each at least once. */
export function fixedPlans(route: RouteEntry, known: KnownValues, fieldNames: string[]): RequestPlan[] {
  const params = Object.fromEntries(
    [...route.path.matchAll(/:(\w+)/g)].map((match) => [match[1]!, known.byParam[match[1]!]?.[0] ?? 'X']),
  );
  const base: RequestPlan = { params, query: [], encoding: 'json', body: {}, raw: '' };
  const everyField = (value: unknown) => Object.fromEntries(fieldNames.map((name) => [name, value]));
  const plans: RequestPlan[] = [
    { ...base, query: fieldNames.slice(0, 40).map((name) => [name, '{bad']), encoding: 'none' },
  ];
  if (Object.keys(params).length)
    plans.push(
      { ...base, rawParam: '%E0%A4%A' },
      { ...base, params: Object.fromEntries(Object.keys(params).map((name) => [name, 'a\u0000b'])) },
    );
  if (route.method === 'get') return plans;
  return [
    ...plans,
    { ...base, body: everyField({ $gt: '' }) },
    { ...base, body: everyField('{bad') },
    { ...base, body: everyField(['a', 'b']) },
    { ...base, body: everyField(nested(1_000, 'x', false)) },
    { ...base, encoding: 'multipart', body: { ...everyField('{bad'), reporter: '{bad' } },
    { ...base, encoding: 'json-raw', raw: '{"kind": ' },
    { ...base, encoding: 'multipart-raw', raw: '--XBOUNDARY\r\nContent-Disposition: form-data; name="a"\r\n\r\nb' },
  ];
}

const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** Percent-encoding of any string: a lone surrogate, which encodeURIComponent refuses, goes as U+FFFD. */
const encode = (value: string) => encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));

/** The URL of a plan: its route path with the parameters filled in, then its query. */
export function urlOf(route: RouteEntry, plan: RequestPlan): string {
  const filled = route.path.replace(/:(\w+)/g, (_, name: string) => plan.rawParam ?? encode(plan.params[name] ?? ''));
  const query = plan.query.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
  return query ? `${filled}?${query}` : filled;
}

/** Sends a plan on a request that already carries the caller's method, URL and headers. */
export function sendPlan(test: request.Test, plan: RequestPlan): request.Test {
  switch (plan.encoding) {
    case 'none':
      return test;
    case 'json':
      return test.set('Content-Type', 'application/json').send(JSON.stringify(plan.body));
    case 'json-raw':
      return test.set('Content-Type', 'application/json').send(plan.raw);
    case 'form': {
      const form = new URLSearchParams();
      for (const [name, value] of Object.entries(plan.body))
        for (const each of Array.isArray(value) ? value : [value]) form.append(name, asText(each));
      return test.type('form').send(form.toString());
    }
    case 'multipart': {
      let multipart = test;
      for (const [name, value] of Object.entries(plan.body))
        for (const each of Array.isArray(value) ? value : [value]) multipart = multipart.field(name, asText(each));
      if (plan.file)
        multipart = multipart.attach('attachments', Buffer.from(plan.file.bytes), {
          filename: plan.file.name.replace(/[\r\n"]/g, '_') || 'x',
          contentType: plan.file.type,
        });
      return multipart;
    }
    case 'multipart-raw':
      return test.set('Content-Type', 'multipart/form-data; boundary=XBOUNDARY').send(plan.raw);
  }
}
