/**
 * Fixed-bucket histograms for medians and percentiles over rollups (docs/architecture.md). Pure functions.
 *
 * A histogram is one count per bucket; bucket i holds values v with bounds[i] ≤ v < bounds[i + 1], and the last
 * bucket everything ≥ its lower bound (the overflow). Rollup documents keep the counts as an object keyed by the
 * bucket index ({ '3': 12 }), because `$inc` on 'h.3' of a new document creates an object, not an array.
 *
 * Error bound of `quantile`: the true q-quantile of the values lies in the same bucket as the estimate, and the
 * estimate interpolates linearly inside it, so the absolute error is at most that bucket's width
 * (bounds[i + 1] − bounds[i]); for values in the overflow bucket the estimate is its lower bound, which is then a
 * lower bound of the truth. The widths are chosen so that the error stays small where the standards sit: waiting
 * minutes are 5-minute buckets up to 30 (targets are usually 15–60 minutes), durations are 1–4 hour buckets in the
 * first day and never wider than a quarter of their lower bound below 30 days.
 */

/** Waiting minutes reported by citizens. */
export const WAIT_MINUTES_BOUNDS: readonly number[] = [
  0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90, 105, 120, 150, 180, 210, 240, 300, 360, 480, 600, 720, 1440,
];

/** Durations in hours (to verify, to first follow-up, to resolve). */
export const DURATION_HOURS_BOUNDS: readonly number[] = [
  0, 1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 30, 36, 48, 60, 72, 96, 120, 144, 168, 216, 264, 336, 408, 504, 600, 720, 1080,
  1440, 2160,
];

export type Histogram = number[];
/** As stored: counts keyed by bucket index, absent buckets are zero. */
export type StoredHistogram = Record<string, number> | null | undefined;

/** The index of the bucket a value falls in (negative values count in the first bucket). */
export function bucketOf(value: number, bounds: readonly number[]): number {
  let low = 0;
  let high = bounds.length - 1;
  if (!(value >= bounds[0]!)) return 0;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (value >= bounds[mid]!) low = mid;
    else high = mid - 1;
  }
  return low;
}

export const emptyHistogram = (bounds: readonly number[]): Histogram => bounds.map(() => 0);

/** A stored histogram as a dense array (for sums and quantiles). */
export function dense(stored: StoredHistogram, bounds: readonly number[]): Histogram {
  const histogram = emptyHistogram(bounds);
  for (const [key, count] of Object.entries(stored ?? {})) {
    const index = Number(key);
    if (Number.isInteger(index) && index >= 0 && index < bounds.length) histogram[index]! += count ?? 0;
  }
  return histogram;
}

export const countOf = (histogram: readonly number[]) => histogram.reduce((sum, count) => sum + count, 0);

/**
 * The q-quantile (0 ≤ q ≤ 1) estimated from the counts: the rank q·n is found in the cumulative counts and placed
 * linearly inside its bucket (values spread evenly over the bucket). Null for an empty histogram. See the module
 * comment for the error bound.
 */
export function quantile(histogram: readonly number[], q: number, bounds: readonly number[]): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError('q must be between 0 and 1');
  const total = countOf(histogram);
  if (total <= 0) return null;
  const rank = q * total;
  let before = 0;
  for (let index = 0; index < histogram.length; index++) {
    const count = histogram[index] ?? 0;
    if (count <= 0) continue;
    if (before + count >= rank) {
      const lower = bounds[index]!;
      const upper = bounds[index + 1];
      if (upper === undefined) return lower; // the overflow bucket has no width to interpolate in
      return lower + ((rank - before) / count) * (upper - lower);
    }
    before += count;
  }
  return bounds[bounds.length - 1]!;
}

/** How many counted values are at most `limit`, reading whole buckets only (buckets entirely ≤ limit). */
export function countAtMost(histogram: readonly number[], limit: number, bounds: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < histogram.length; index++) {
    const upper = bounds[index + 1];
    if (upper !== undefined && upper <= limit) sum += histogram[index] ?? 0;
    else if (bounds[index]! <= limit && upper !== undefined) {
      // The bucket that holds the limit: the part below it, assuming values spread evenly.
      sum += ((histogram[index] ?? 0) * (limit - bounds[index]!)) / (upper - bounds[index]!);
    }
  }
  return sum;
}
