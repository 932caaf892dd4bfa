import Joi from 'joi';

/**
 * Joi schemas as JSON Schema 2020-12, read from `schema.describe()`: types, required keys, enums, bounds, patterns,
 * formats, arrays, alternatives, nested objects and defaults; a rule JSON Schema cannot express degrades to the plain
 * type. And examples built from a schema, kept only when the Joi schema itself accepts them. The OpenAPI document
 * (openapi.ts) describes every route's input with these.
 */

export type JsonSchema = { [key: string]: unknown };

interface JoiDescription {
  type: string;
  flags?: Record<string, unknown>;
  rules?: { name: string; args?: Record<string, unknown> }[];
  allow?: unknown[];
  invalid?: unknown[];
  keys?: Record<string, JoiDescription>;
  items?: JoiDescription[];
  matches?: { schema?: JoiDescription; then?: JoiDescription; otherwise?: JoiDescription }[];
  patterns?: { rule: JoiDescription }[];
  whens?: { ref?: { path?: string[] }; is?: JoiDescription; then?: JoiDescription; otherwise?: JoiDescription }[];
  examples?: unknown[];
}

const isPlain = (value: unknown): value is string | number | boolean | null =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** `/^\d+$/i` as Joi describes it → the pattern's source (flags have no JSON Schema form). */
function regexSource(regex: unknown): string | undefined {
  if (typeof regex !== 'string') return undefined;
  const match = /^\/(.*)\/[a-z]*$/s.exec(regex);
  return match ? match[1] : regex;
}

const stringFormats: Record<string, string> = {
  email: 'email',
  uri: 'uri',
  isoDate: 'date-time',
  guid: 'uuid',
  hostname: 'hostname',
  ip: 'ip',
};

function typedSchema(d: JoiDescription): JsonSchema {
  const rules = d.rules ?? [];
  const arg = (name: string, key = 'limit') => rules.find((r) => r.name === name)?.args?.[key];
  const limit = (name: string) => {
    const value = arg(name);
    return typeof value === 'number' ? value : undefined;
  };
  switch (d.type) {
    case 'string': {
      const s: JsonSchema = { type: 'string' };
      if (limit('min') !== undefined) s.minLength = limit('min');
      if (limit('max') !== undefined) s.maxLength = limit('max');
      if (limit('length') !== undefined) s.minLength = s.maxLength = limit('length');
      const pattern = regexSource(arg('pattern', 'regex'));
      if (pattern) s.pattern = pattern;
      else if (rules.some((r) => r.name === 'hex')) s.pattern = '^[0-9a-fA-F]*$';
      else if (rules.some((r) => r.name === 'alphanum')) s.pattern = '^[a-zA-Z0-9]*$';
      for (const rule of rules) if (stringFormats[rule.name]) s.format = stringFormats[rule.name];
      return s;
    }
    case 'number': {
      const s: JsonSchema = { type: rules.some((r) => r.name === 'integer') ? 'integer' : 'number' };
      if (limit('min') !== undefined) s.minimum = limit('min');
      if (limit('max') !== undefined) s.maximum = limit('max');
      if (limit('greater') !== undefined) s.exclusiveMinimum = limit('greater');
      if (limit('less') !== undefined) s.exclusiveMaximum = limit('less');
      if (rules.some((r) => r.name === 'sign' && r.args?.sign === 'positive')) s.exclusiveMinimum = 0;
      return s;
    }
    case 'boolean':
    case 'checkbox':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    case 'binary':
      return { type: 'string', format: 'binary' };
    case 'array': {
      const s: JsonSchema = { type: 'array' };
      const items = (d.items ?? []).map(jsonSchemaOf);
      if (items.length === 1) s.items = items[0];
      else if (items.length > 1) s.items = { anyOf: items };
      if (limit('min') !== undefined) s.minItems = limit('min');
      if (limit('max') !== undefined) s.maxItems = limit('max');
      if (limit('length') !== undefined) s.minItems = s.maxItems = limit('length');
      if (rules.some((r) => r.name === 'unique')) s.uniqueItems = true;
      return s;
    }
    case 'object': {
      const s: JsonSchema = { type: 'object' };
      if (d.keys) {
        const properties: Record<string, JsonSchema> = {};
        const required: string[] = [];
        const conditions: JsonSchema[] = [];
        for (const [name, key] of Object.entries(d.keys)) {
          // Stripped and forbidden keys are never read: not part of the contract.
          if (key.flags?.result === 'strip' || key.flags?.presence === 'forbidden') continue;
          properties[name] = jsonSchemaOf(key);
          if (key.flags?.presence === 'required') required.push(name);
          conditions.push(...requiredWhen(name, key));
        }
        s.properties = properties;
        if (required.length) s.required = required;
        if (conditions.length) s.allOf = conditions;
      }
      const pattern = d.patterns?.[0]?.rule;
      if (pattern) s.additionalProperties = jsonSchemaOf(pattern);
      if (limit('min') !== undefined) s.minProperties = limit('min');
      if (limit('max') !== undefined) s.maxProperties = limit('max');
      return s;
    }
    case 'alternatives': {
      const options = (d.matches ?? []).flatMap((m) => [m.schema, m.then, m.otherwise]).filter(Boolean);
      return options.length ? { anyOf: (options as JoiDescription[]).map(jsonSchemaOf) } : {};
    }
    default: {
      // `any` (possibly conditional) and rules this converter does not know: the plainest truthful schema.
      const options = (d.whens ?? []).flatMap((w) => [w.then, w.otherwise]).filter(Boolean);
      return options.length ? { anyOf: (options as JoiDescription[]).map(jsonSchemaOf) } : {};
    }
  }
}

/**
 * `category: ….when('kind', { is: 'complaint', then: ….required() })` as JSON Schema's own conditional, on the
 * object: `if kind is complaint then category is required`. Conditions on anything but a sibling's values are left
 * out (the key stays optional in the document, and the route still refuses what its schema refuses).
 */
function requiredWhen(name: string, key: JoiDescription): JsonSchema[] {
  return (key.whens ?? []).flatMap((when) => {
    const sibling = when.ref?.path;
    const values = (when.is?.allow ?? []).filter(isPlain);
    if (!sibling || sibling.length !== 1 || !when.is?.flags?.only || !values.length) return [];
    const condition = { properties: { [sibling[0]]: { enum: values } }, required: [sibling[0]] };
    const requires = (branch?: JoiDescription) => branch?.flags?.presence === 'required';
    return [
      ...(requires(when.then) ? [{ if: condition, then: { required: [name] } }] : []),
      ...(requires(when.otherwise) ? [{ if: condition, else: { required: [name] } }] : []),
    ];
  });
}

/** A Joi schema (or its `describe()` output) as JSON Schema 2020-12. */
export function jsonSchemaOf(schema: Joi.Schema | JoiDescription): JsonSchema {
  const d = (Joi.isSchema(schema) ? schema.describe() : schema) as JoiDescription;
  const flags = d.flags ?? {};
  const plainAllowed = (d.allow ?? []).filter(isPlain);
  let s: JsonSchema;
  if (flags.only) s = { enum: plainAllowed };
  else {
    s = typedSchema(d);
    if (plainAllowed.length) {
      if (plainAllowed.length === 1 && plainAllowed[0] === null && typeof s.type === 'string')
        s.type = [s.type, 'null'];
      else s = { anyOf: [s, { enum: plainAllowed }] };
    }
  }
  const invalid = (d.invalid ?? []).filter(isPlain);
  if (invalid.length) s.not = { enum: invalid };
  if (typeof flags.description === 'string') s.description = flags.description;
  if (flags.default !== undefined && typeof flags.default !== 'function' && isJson(flags.default))
    s.default = flags.default;
  const examples = (d.examples ?? []).filter(isJson);
  if (examples.length) s.examples = examples;
  return s;
}

function isJson(value: unknown): boolean {
  if (isPlain(value)) return true;
  if (Array.isArray(value)) return value.every(isJson);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return !('special' in value) && !('ref' in value) && Object.values(value).every(isJson);
  return false;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Examples                                                                                                      */

const formatExamples: Record<string, string> = {
  email: 'warga@example.id',
  uri: 'https://example.id/',
  'date-time': '2026-01-05T08:00:00.000Z',
  uuid: '3f0e2a9c-5d3b-4b8e-9c1a-2f6d7e8a9b0c',
  hostname: 'example.id',
  ip: '192.0.2.1',
};

/**
 * A value the JSON schema accepts, built from its examples, defaults, enums and bounds; undefined when one is not
 * evident (a pattern, for one). With `allKeys` an object gets every property it can, else only the required ones.
 */
export function exampleOf(schema: JsonSchema, allKeys = true): unknown {
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum.find((value) => value !== null && value !== '') ?? schema.enum[0];
  if (Array.isArray(schema.anyOf)) {
    for (const option of schema.anyOf as JsonSchema[]) {
      const value = exampleOf(option, allKeys);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (typeof schema.format === 'string') return formatExamples[schema.format];
      if (schema.pattern) return undefined;
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
      const text = 'Contoh'.padEnd(min, '.');
      return text.length <= max ? text : text.slice(0, max);
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
      const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
      return min ?? (max !== undefined ? Math.min(max, 1) : 1);
    }
    case 'boolean':
      return true;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
      if (max === 0) return [];
      const item = schema.items ? exampleOf(schema.items as JsonSchema, allKeys) : 'Contoh';
      if (item === undefined) return min === 0 ? [] : undefined;
      return Array.from({ length: Math.max(1, min) }, () => item);
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (!allKeys && !required.has(name)) continue;
        const example = exampleOf(property, allKeys);
        if (example === undefined && required.has(name)) return undefined;
        if (example !== undefined) value[name] = example;
      }
      return value;
    }
    default:
      return undefined;
  }
}

/**
 * An example the route's own Joi schema accepts, or none: every example in the document passes. The required keys
 * alone when they pass (invented values for optional ones mislead more than they show), else every key.
 */
export function checkedExample(schema: Joi.Schema, json: JsonSchema): unknown {
  for (const allKeys of [false, true]) {
    const example = exampleOf(json, allKeys);
    if (example === undefined) continue;
    if (!schema.validate(example, { stripUnknown: true }).error) return example;
  }
  return undefined;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* The document                                                                                                  */
