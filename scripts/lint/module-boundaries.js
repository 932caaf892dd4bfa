/**
 * ESLint rule `suara/module-boundaries`: a module is used only through its public face.
 *
 * - A file under `src/modules/<a>/` may import from `src/modules/<b>/` (b ≠ a) only `src/modules/<b>/index.ts`.
 * - Nothing under `src/platform/` imports from `src/modules/`: the platform serves modules, never the reverse.
 *
 * Relative imports are resolved against the importing file, so sub-folders of a module count as the module. The
 * architecture is described in docs/architecture.md.
 */
import path from 'node:path';

const srcRoot = path.resolve(import.meta.dirname, '../../src');

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
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = areaOf(file);
    if (!from) return {};
    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
      const to = areaOf(target);
      if (!to?.startsWith('modules/') || to === from) return;
      if (from === 'platform') return context.report({ node, messageId: 'platform', data: { specifier } });
      if (target !== path.join(srcRoot, to, 'index.ts'))
        context.report({ node, messageId: 'internal', data: { specifier, module: `src/${to}` } });
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
