import { ensureIndexes } from '../../src/platform/db.js';

/**
 * Runs the rebuild functions of the analytics and coaching modules when they exist in this checkout (they are
 * built alongside the generator): `rebuildRollups` (src/modules/analytics/rollups/rebuild.ts) and `rebuildRecords`
 * (src/modules/coaching/record/rebuild.ts). Looked up at run time, so the generator works before and after they land.
 */
export interface RebuildTiming {
  name: string;
  seconds: number | null;
  note: string;
  result?: unknown;
}

type RebuildFunction = (options: { progress?: (...args: unknown[]) => void; resume?: boolean }) => Promise<unknown>;

const rebuilds = [
  { name: 'rebuildRollups', module: '../../src/modules/analytics/index.js' },
  { name: 'rebuildRecords', module: '../../src/modules/coaching/index.js' },
] as const;

async function find(specifier: string, name: string): Promise<RebuildFunction | undefined> {
  try {
    const module = (await import(specifier)) as Record<string, unknown>;
    return typeof module[name] === 'function' ? (module[name] as RebuildFunction) : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** A progress callback that prints whatever the rebuild reports, at most every two seconds (and the last one). */
function progressPrinter(name: string, say: (line: string) => void) {
  let last = 0;
  return (...args: unknown[]) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    const shown = args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');
    say(`  ${name}: ${shown}`);
  };
}

export async function runRebuilds(
  say: (line: string) => void,
  options: { only?: string[]; resume?: boolean } = {},
): Promise<RebuildTiming[]> {
  const { only } = options;
  const timings: RebuildTiming[] = [];
  for (const rebuild of rebuilds) {
    if (only && !only.includes(rebuild.name)) continue;
    const run = await find(rebuild.module, rebuild.name);
    if (!run) {
      say(`${rebuild.name}: not in this checkout yet (${rebuild.module.replace('../../', '')}); skipped`);
      timings.push({ name: rebuild.name, seconds: null, note: 'not available' });
      continue;
    }
    await ensureIndexes(); // the module may have brought models of its own
    say(`${rebuild.name}…`);
    const started = performance.now();
    const result = await run({ progress: progressPrinter(rebuild.name, say), resume: options.resume });
    const seconds = (performance.now() - started) / 1000;
    say(`${rebuild.name}: done in ${seconds.toFixed(1)} s`);
    timings.push({ name: rebuild.name, seconds, note: 'ran', result });
  }
  return timings;
}
