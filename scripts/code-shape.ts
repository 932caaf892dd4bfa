/**
 * `npm run code:shape`: the figures that say whether the source still fits in a head — the largest files, the
 * longest functions, and imports that cross a module boundary (anything but another module's `index.ts`) or go from
 * the platform into a module. The linter refuses the last two (eslint.config.js); this prints them with numbers.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/** `modules/<name>` of a file under src/modules, or 'platform', or undefined for the composition root. */
function areaOf(file: string): string | undefined {
  const rel = path.relative(src, file).split(path.sep);
  if (rel[0] === 'modules' && rel.length > 2) return `modules/${rel[1]}`;
  if (rel[0] === 'platform') return 'platform';
  return undefined;
}

interface Fn {
  file: string;
  name: string;
  lines: number;
}

const sizes: { file: string; lines: number }[] = [];
const functions: Fn[] = [];
const crossings: string[] = [];

for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  const rel = path.relative(root, file);
  sizes.push({ file: rel, lines: text.split('\n').length });
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const name =
        (node.name && ts.isIdentifier(node.name) && node.name.text) ||
        (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) && node.parent.name.text) ||
        '(anonymous)';
      functions.push({ file: rel, name, lines: lineOf(node.end) - lineOf(node.getStart()) + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const from = areaOf(file);
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (!specifier?.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
    const to = areaOf(target);
    if (!to || to === from || !to.startsWith('modules/')) continue;
    const isFace = path.basename(target) === 'index.ts' && path.dirname(target) === path.join(src, to);
    if (from === 'platform' || (from && !isFace)) crossings.push(`${rel} -> ${path.relative(root, target)}`);
  }
}

const top = <T>(list: T[], key: (item: T) => number, n: number) =>
  [...list].sort((a, b) => key(b) - key(a)).slice(0, n);
const out = (line: string) => process.stdout.write(line + '\n');
out('Largest files (lines):');
for (const entry of top(sizes, (s) => s.lines, 5)) out(`  ${String(entry.lines).padStart(5)}  ${entry.file}`);
out('Longest functions (lines):');
for (const fn of top(functions, (f) => f.lines, 5)) out(`  ${String(fn.lines).padStart(5)}  ${fn.name}  ${fn.file}`);
out(`Files over 500 lines: ${sizes.filter((s) => s.lines > 500).length}`);
out(`Functions over 100 lines: ${functions.filter((f) => f.lines > 100).length}`);
out(`Imports across a module boundary (not through its index.ts, or from the platform): ${crossings.length}`);
if (process.argv.includes('--list')) for (const line of crossings) out(`  ${line}`);
