import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import type { LoadFigures } from './load.js';
import type { PageWeight } from './page-weight.js';

export interface ScenarioResult {
  name: string;
  description: string;
  target: string;
  method: string;
  path: string;
  figures: LoadFigures;
  floor?: {
    target: string;
    method: string;
    path: string;
    figures: LoadFigures;
    /** Suara's req/s divided by the floor's (1 = as fast as the floor; the target for intake is at least 0.5). */
    ratio: number;
    /** Whether a probe to each answered the same before measuring; otherwise what differed. */
    equivalent: true | string;
  };
  note?: string;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  elapsedSeconds: number;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  database: { kind: string; startSeconds: number; seedSeconds: number };
  scenarios: ScenarioResult[];
  pages: PageWeight[];
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function table(header: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function nonOk(figures: LoadFigures): string {
  if (!figures.non2xx) return '0';
  const codes = Object.entries(figures.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code]) => code)
    .join(',');
  return `${fmt(figures.non2xx)} (${codes})`;
}

function row(name: string, target: string, figures: LoadFigures, ratio: string): string[] {
  return [
    name,
    target,
    figures.offeredRate ? `@${fmt(figures.offeredRate)}/s` : String(figures.connections),
    fmt(figures.reqPerSec),
    fmt(figures.okPerSec),
    fmt(figures.latencyMs.p50, 1),
    fmt(figures.latencyMs.p99, 1),
    fmt(figures.errors + figures.timeouts),
    nonOk(figures),
    ratio,
  ];
}

export function formatResults(results: BenchResults): string {
  const out: string[] = [];
  const rows: string[][] = [];
  for (const scenario of results.scenarios) {
    const ratio = scenario.floor ? `${fmt(scenario.floor.ratio * 100)} %` : '';
    rows.push(row(scenario.name, scenario.target, scenario.figures, ratio));
    if (scenario.floor) rows.push(row(`  floor`, scenario.floor.target, scenario.floor.figures, ''));
  }
  out.push(
    table(
      ['scenario', 'server', 'conn', 'req/s', '2xx/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'of floor'],
      rows,
      new Set([2, 3, 4, 5, 6, 7, 8, 9]),
    ),
  );
  const notes = results.scenarios.flatMap((scenario) => {
    const lines: string[] = [];
    if (scenario.floor && scenario.floor.equivalent !== true)
      lines.push(
        `! ${scenario.name}: the floor does not answer like Suara (${scenario.floor.equivalent}); its ratio means little.`,
      );
    if (scenario.note) lines.push(`· ${scenario.note}`);
    return lines;
  });
  if (notes.length) out.push('', ...notes);
  out.push(
    '',
    '"of floor" = Suara req/s ÷ floor req/s (bare Express 5 + raw mongodb driver, same database, same run).',
  );

  if (results.pages.length) {
    const pageRows = results.pages.map((page) => {
      const parts = ['html', 'css', 'js', 'image', 'font', 'other']
        .map(
          (kind) =>
            [
              kind,
              page.files.filter((file) => file.kind === kind).reduce((sum, file) => sum + file.rawBytes, 0),
            ] as const,
        )
        .filter(([, bytes]) => bytes > 0)
        .map(([kind, bytes]) => `${kind} ${kb(bytes)}`)
        .join(', ');
      return [
        page.name,
        page.path,
        String(page.files.length),
        kb(page.rawBytes),
        kb(page.sentBytes),
        kb(page.budgetBytes),
        page.withinBudget ? 'yes' : 'NO',
        parts,
      ];
    });
    out.push(
      '',
      table(
        ['page', 'path', 'files', 'raw', 'as sent', 'budget', 'within', 'raw by kind'],
        pageRows,
        new Set([2, 3, 4, 5]),
      ),
    );
    const compressed = results.pages.some((page) => page.servedCompressed);
    out.push(
      compressed
        ? '"as sent": the page and its files as Suara sends them to a browser that accepts gzip; judged against the budget.'
        : 'Suara sent these pages uncompressed: "as sent" equals raw.',
    );
    const failed = results.pages.filter((page) => page.files.some((file) => file.status !== 200));
    for (const page of failed)
      out.push(
        `! ${page.name}: ${page.files
          .filter((file) => file.status !== 200)
          .map((file) => `${file.url} → ${file.status}`)
          .join(', ')}`,
      );
  }
  out.push(
    '',
    `${results.machine.cpus} CPUs (${String(results.machine.cpuModel)}), Node ${String(results.machine.node)}; ` +
      `${String(results.settings.seconds)} s per measurement after ${String(results.settings.warmupSeconds)} s warm-up; ` +
      `database: ${results.database.kind} (started in ${results.database.startSeconds.toFixed(1)} s, demo seeded in ${results.database.seedSeconds.toFixed(1)} s); ` +
      `whole run ${results.elapsedSeconds.toFixed(0)} s.`,
  );
  const load = results.machine.loadAverage as { atStart: number; atEnd: number } | undefined;
  if (load) {
    // The bench itself keeps about 3 processes busy, so only the figure at the start tells of other work.
    const busy = load.atStart >= 1;
    out.push(
      `Load average (1 min) ${load.atStart.toFixed(1)} at the start, ${load.atEnd.toFixed(1)} at the end` +
        (busy ? ': other work was running on the machine, so these figures are low and noisy.' : '.'),
    );
  }
  return out.join('\n');
}

/** Writes the results as JSON, formatted the way `npm run lint` (prettier --check) expects, wherever it ends up. */
export async function writeResults(file: string, results: BenchResults): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const options = (await prettier.resolveConfig(file)) ?? {};
  await writeFile(file, await prettier.format(JSON.stringify(results), { ...options, filepath: file }));
}
