/**
 * A small XML writer for the GeoReport v2 shapes: objects become elements, arrays repeat the singular element their
 * parent names, text is escaped, and characters XML 1.0 cannot carry (control characters, lone surrogates) are
 * dropped, so no citizen's text can break a client's parser.
 */

/** The element each list repeats, by the list's own element name. */
const itemNames: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

// Tab, newline and carriage return are the only characters below U+0020 that XML 1.0 allows.
const notXml =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(notXml, '').replace(/[&<>"']/g, (char) => entities[char]!);
}

function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return escapeXml(String(value));
}

function element(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = itemNames[name] ?? 'item';
    return `<${name}>${value.map((entry) => element(item, entry)).join('')}</${name}>`;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    const children = Object.entries(value as Record<string, unknown>).map(([key, child]) => element(key, child));
    return `<${name}>${children.join('')}</${name}>`;
  }
  return `<${name}>${textOf(value)}</${name}>`;
}

/** A whole document: the declaration, then `value` as the root element `root`. */
export function xmlDocument(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}\n`;
}
