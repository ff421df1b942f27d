/**
 * Survivability metrics (paper Definition 5.1), pure functions of an ASR sequence.
 * `asr[k]` is the ASR of the k-th model after the last poisoned one (asr[0] = the first
 * clean update's model), so the caller slices the per-model sequence after injection.
 */

/**
 * gamma-survivability: the largest k such that the ASR of every one of the first k models
 * stays above gamma, capped at `horizon` (the paper uses 14 so that D0 and D1 injection
 * compare equally).
 */
export function survivability(asr: readonly number[], gamma = 0.5, horizon = 14): number {
  let k = 0;
  while (k < Math.min(asr.length, horizon) && asr[k] > gamma) k++;
  return k;
}

/** 1-based index of the first model whose ASR is at or below gamma, or null if none is. */
export function firstBelow(asr: readonly number[], gamma = 0.5): number | null {
  const i = asr.findIndex((a) => a <= gamma);
  return i < 0 ? null : i + 1;
}

/** Area under the ASR curve by the trapezoid rule over unit-spaced updates. */
export function asrArea(asr: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < asr.length; i++) area += (asr[i - 1] + asr[i]) / 2;
  return area;
}
