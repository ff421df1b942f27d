import { mean as ssMean, median as ssMedian, sampleStandardDeviation } from 'simple-statistics';

/**
 * The one place where seeds are summarised: every table, plot, report and the crosscheck
 * use these. The convention is the sample standard deviation (n - 1), the usual "mean ±
 * std over seeds" of papers; a single value has std 0 and an empty list gives NaN.
 */
export interface Band {
  readonly mean: number;
  readonly std: number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : ssMean([...values]);
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : ssMedian([...values]);
}

/** Sample standard deviation (n - 1); 0 for one value, NaN for none. */
export function sampleStd(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.length === 1 ? 0 : sampleStandardDeviation([...values]);
}

export function meanStd(values: readonly number[]): Band {
  return { mean: mean(values), std: sampleStd(values) };
}

/** Mean of |a_i - b_i| over paired values (the crosscheck's ASR and accuracy gaps). */
export function meanAbsDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`meanAbsDifference: ${a.length} vs ${b.length} values`);
  return mean(a.map((v, i) => Math.abs(v - b[i])));
}

/** "2.31 ± 0.20" with the given decimals (std by the module's convention). */
export function formatBand(values: readonly number[], digits = 2): string {
  const { mean: m, std } = meanStd(values);
  return `${m.toFixed(digits)} ± ${std.toFixed(digits)}`;
}
