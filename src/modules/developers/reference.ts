import type { JsonSchema, OpenApiDocument } from '../../platform/openapi.js';

/** The OpenAPI document as the reference page lists it: operations by module, schemas as rows of plain words. */

export interface FieldRow {
  name: string;
  where?: string;
  required: boolean;
  /** Required only when another field has one of some values: `kind = "complaint"`. */
  requiredWhen?: string;
  type: string;
  description?: string;
}

const bounds = (schema: JsonSchema, low: string, high: string, unit: string) => {
  const min = schema[low];
  const max = schema[high];
  if (typeof min === 'number' && typeof max === 'number') return min === max ? `${min}${unit}` : `${min}–${max}${unit}`;
  if (typeof min === 'number') return `≥ ${min}${unit}`;
  if (typeof max === 'number') return `≤ ${max}${unit}`;
  return '';
};

/** Words in the reader's language (`req.t`). */
export type Say = (key: string, params?: Record<string, unknown>) => string;

/** A schema in a few words: `string, 1–200 chars`, `one of: a, b`, `array of integer, ≤ 5 items`. */
export function typeText(schema: JsonSchema | undefined, say: Say): string {
  if (!schema) return 'any';
  const words: string[] = [];
  if (Array.isArray(schema.enum))
    words.push(say('developers.schema.one_of', { values: schema.enum.map((v) => JSON.stringify(v)).join(', ') }));
  else if (Array.isArray(schema.anyOf)) {
    // A type that may also be left empty (`allow('', null)`) reads as such, not as a second alternative.
    const options = schema.anyOf as JsonSchema[];
    const empty = (option: JsonSchema) =>
      Array.isArray(option.enum) && option.enum.every((value) => value === '' || value === null);
    const rest = options.filter((option) => !empty(option));
    words.push(rest.map((option) => typeText(option, say)).join(' | '));
    if (rest.length < options.length) words.push(say('developers.schema.may_be_empty'));
  } else {
    const type = Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type ?? 'any');
    if (type === 'array')
      words.push(say('developers.schema.array_of', { item: typeText(schema.items as JsonSchema | undefined, say) }));
    else words.push(type);
    if (typeof schema.format === 'string') words.push(schema.format);
    words.push(bounds(schema, 'minLength', 'maxLength', ` ${say('developers.schema.chars')}`));
    words.push(bounds(schema, 'minimum', 'maximum', ''));
    words.push(bounds(schema, 'minItems', 'maxItems', ` ${say('developers.schema.items')}`));
    if (typeof schema.pattern === 'string') words.push(say('developers.schema.pattern', { pattern: schema.pattern }));
  }
  if (schema.default !== undefined)
    words.push(say('developers.schema.default', { value: JSON.stringify(schema.default) }));
  return words.filter(Boolean).join(', ');
}

/** An object's properties as rows, nested objects as dotted names (`reporter.email`), three levels deep. */
function fieldRows(schema: JsonSchema, say: Say, prefix = '', depth = 0): FieldRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const conditions = (schema.allOf ?? []) as { if?: JsonSchema; then?: JsonSchema }[];
  const whenOf = (name: string) =>
    conditions
      .filter((c) => ((c.then?.required ?? []) as string[]).includes(name))
      .map((c) =>
        Object.entries((c.if?.properties ?? {}) as Record<string, JsonSchema>)
          .map(
            ([key, test]) => `${key} = ${((test.enum ?? []) as unknown[]).map((v) => JSON.stringify(v)).join(' | ')}`,
          )
          .join(', '),
      )
      .join('; ') || undefined;
  return Object.entries(properties).flatMap(([name, property]) => {
    const row: FieldRow = {
      name: prefix + name,
      required: required.has(name),
      requiredWhen: whenOf(name),
      type: property.properties ? 'object' : typeText(property, say),
      description: typeof property.description === 'string' ? property.description : undefined,
    };
    const items = property.items as JsonSchema | undefined;
    const nested = property.properties ? property : items?.properties ? items : undefined;
    const suffix = nested === items ? '[].' : '.';
    return nested && depth < 3 ? [row, ...fieldRows(nested, say, `${prefix}${name}${suffix}`, depth + 1)] : [row];
  });
}

interface Parameter {
  name?: string;
  in?: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
  $ref?: string;
}

const refName = (ref: string) => ref.split('/').pop() ?? ref;

export function referenceOf(document: OpenApiDocument, say: Say) {
  const components = document.components as unknown as {
    parameters: Record<string, Parameter>;
    responses: Record<string, { description: string }>;
  };
  const groups = new Map<string, unknown[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as {
        operationId: string;
        summary: string;
        description?: string;
        tags: string[];
        security: unknown[];
        parameters?: Parameter[];
        requestBody?: { content: Record<string, { schema: JsonSchema; example?: unknown }> };
        responses: Record<string, { $ref?: string; description?: string; content?: Record<string, unknown> }>;
      };
      const parameters = (op.parameters ?? []).map((p) => {
        const parameter = p.$ref ? components.parameters[refName(p.$ref)] : p;
        return {
          name: parameter.name ?? '',
          where: parameter.in,
          required: Boolean(parameter.required),
          type: typeText(parameter.schema, say),
          description: parameter.description,
        };
      });
      const bodies = Object.entries(op.requestBody?.content ?? {});
      const body = bodies.length
        ? {
            media: bodies.map(([type]) => type).join(', '),
            fields: fieldRows(bodies[0][1].schema, say),
            example: bodies[0][1].example === undefined ? undefined : JSON.stringify(bodies[0][1].example, null, 2),
          }
        : undefined;
      const responses = Object.entries(op.responses).map(([status, response]) => ({
        status,
        description: response.$ref
          ? components.responses[refName(response.$ref)].description
          : (response.description ?? ''),
        media: Object.keys(response.content ?? {}).join(', ') || undefined,
      }));
      const module = op.tags[0];
      if (!groups.has(module)) groups.set(module, []);
      groups.get(module)!.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        description: op.description,
        signedIn: op.security.length > 0,
        parameters,
        body,
        responses,
      });
    }
  }
  return [...groups].map(([name, operations]) => ({ name, operations, count: operations.length }));
}
