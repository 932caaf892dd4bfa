import { scrubPersonalData } from '../../src/modules/feedback/text.js';

/**
 * In-process figures for the text a citizen writes: scrubbing runs on every description and reply at intake and on
 * every summary shown, so 4,000 characters (the longest description) of any shape must cost about what prose costs.
 * Named `scrub` for BENCH_ONLY. Runs in the bench's own process: no server, no database.
 */

export const TEXT_BENCH_NAME = 'scrub';
const LENGTH = 4000;

const fill = (unit: string) => unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);

/** 4,000 characters each: ordinary prose with contact details, and the shapes that make a backtracking regex slow. */
const samples: Record<string, string> = {
  prose: fill('Saya menunggu tiga jam di loket pendaftaran, hubungi 0812-3456-7890 atau budi.s@mail.co.id. '),
  'digits and hyphens': fill('1-'),
  'digits and dots': fill('12.'),
  'digit run glued to a word': fill('1').slice(1) + 'x',
  'a.a.a.a@': fill('a.a.a.a@'),
  '+62+62…': fill('+62'),
};

export interface TextBenchResult {
  name: string;
  /** Microseconds to scrub one 4,000-character text, per sample shape. */
  microsecondsPer4000: Record<string, number>;
}

/** Scrubs each sample for about `seconds` (after a short warm-up) and reports the mean time per text. */
export function runTextBench(seconds = 0.5): TextBenchResult {
  const figures: Record<string, number> = {};
  for (const [shape, text] of Object.entries(samples)) {
    for (let i = 0; i < 50; i++) scrubPersonalData(text);
    const started = performance.now();
    let runs = 0;
    while (performance.now() - started < seconds * 1000) {
      scrubPersonalData(text);
      runs++;
    }
    figures[shape] = ((performance.now() - started) * 1000) / runs;
  }
  return { name: TEXT_BENCH_NAME, microsecondsPer4000: figures };
}

export function formatTextBench(result: TextBenchResult): string {
  const parts = Object.entries(result.microsecondsPer4000).map(([shape, us]) => `${shape} ${us.toFixed(0)} µs`);
  return `scrubPersonalData, µs per 4,000 characters: ${parts.join(', ')}`;
}
