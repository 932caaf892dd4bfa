/**
 * ESLint rule `suara/module-boundaries`: a module is used only through its public face.
 *
 * - A file under `src/modules/<a>/` may import from `src/modules/<b>/` (b ≠ a) only `src/modules/<b>/index.ts`.
 * - Nothing under `src/platform/` imports from `src/modules/`: the platform serves modules, never the reverse.
 * - A module uses only modules listed before it in `src/modules/index.ts`: data flows one way down that list.
 *
 * Relative imports are resolved against the importing file, so sub-folders of a module count as the module. The
 * architecture is described in docs/architecture.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const srcRoot = path.resolve(import.meta.dirname, '../../src');

/** Module names in the order of the list in src/modules/index.ts (its `modules` array). */
function moduleOrder() {
  const text = readFileSync(path.join(srcRoot, 'modules/index.ts'), 'utf8');
  const list = text.slice(text.indexOf('export const modules'));
  return [...list.slice(list.indexOf('= [') + 3, list.indexOf('];')).matchAll(/\w+/g)].map((match) => match[0]);
}

/** 'platform', `modules/<name>`, or undefined (the composition root and everything outside src). */
function areaOf(file) {
  const parts = path.relative(srcRoot, file).split(path.sep);
  if (parts[0] === '..') return undefined;
  if (parts[0] === 'platform') return 'platform';
  if (parts[0] === 'modules' && parts.length > 2) return `modules/${parts[1]}`;
  return undefined;
}

export const moduleBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Import another module only through its index.ts; the platform imports no module' },
    messages: {
      internal: "'{{specifier}}' is internal to {{module}}: import it from {{module}}/index.ts (its public face).",
      platform: "The platform must not import a module ('{{specifier}}'): pass what it needs in, or register it.",
      order:
        '{{from}} may not use {{to}}: it comes later in src/modules/index.ts (data flows one way; move the code or the order).',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = areaOf(file);
    if (!from) return {};
    const order = moduleOrder();
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
      const to = areaOf(target);
      if (!to?.startsWith('modules/') || to === from) return;
      if (from === 'platform') return context.report({ node, messageId: 'platform', data: { specifier } });
      if (target !== path.join(srcRoot, to, 'index.ts'))
        return context.report({ node, messageId: 'internal', data: { specifier, module: `src/${to}` } });
      const [fromName, toName] = [from.slice('modules/'.length), to.slice('modules/'.length)];
      if (order.indexOf(toName) > order.indexOf(fromName))
        context.report({ node, messageId: 'order', data: { from: fromName, to: toName } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { 'module-boundaries': moduleBoundaries } };
