/**
 * Neural Cleanse's outlier test on the per-label trigger norms (Wang et al. 2019; docs/defenses.md):
 * a robust z-score, MAD-based, one-sided (only small triggers are suspicious).
 */

/** Makes the MAD a consistent estimator of the standard deviation for normal data. */
export const MAD_CONSISTENCY = 1.4826;
/** Iglewicz-Hoaglin's constant for the mean absolute deviation, the fallback when MAD = 0. */
export const MEAN_AD_CONSISTENCY = 1.253314;
/** Labels (and models) with an index above this are flagged. */
export const ANOMALY_THRESHOLD = 2;

export interface AnomalyReport {
  readonly median: number;
  /** 1.4826 * median(|L - median|); 0 when at least half of the norms equal the median. */
  readonly mad: number;
  /** The divisor used: the MAD, or 1.253314 * mean(|L - median|) when the MAD is 0. */
  readonly scale: number;
  readonly scaleKind: 'mad' | 'mean-absolute-deviation' | 'none';
  /** |L_t - median| / scale per label (0 for every label when all norms are equal). */
  readonly indices: readonly number[];
  /** Labels with L_t <= median and index > 2, in ascending label order. */
  readonly flaggedLabels: readonly number[];
  /** The smallest-norm label (the lowest such label on ties) and its index: the model's index. */
  readonly suspect: number;
  readonly modelIndex: number;
  readonly flagged: boolean;
  /**
   * The index the suspect would get with a zero-norm trigger, the other norms unchanged: the
   * most this model's other labels allow. At or below 2, no trigger on that label is flagged,
   * however small: the miss comes from the spread of the other labels, not from the suspect.
   */
  readonly indexCeiling: number;
}

interface RobustScores {
  readonly median: number;
  readonly mad: number;
  readonly scale: number;
  readonly scaleKind: AnomalyReport['scaleKind'];
  readonly indices: readonly number[];
}

/** Median as numpy computes it: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The anomaly index of each label from the L1 norms of its reverse-engineered mask.
 * When the MAD is 0 (half or more of the norms coincide) the index would divide by zero;
 * we then scale by the mean absolute deviation (the modified z-score's documented fallback),
 * which is positive as soon as any norm differs, and report index 0 for all labels when
 * every norm is equal. Non-finite norms are rejected.
 */
export function anomalyIndex(norms: readonly number[]): AnomalyReport {
  if (norms.length === 0) throw new Error('anomalyIndex needs at least one norm');
  if (norms.some((n) => !Number.isFinite(n)))
    throw new Error(`anomalyIndex: non-finite norm in [${norms.join(', ')}]`);
  const scores = robustScores(norms);
  const { indices } = scores;
  const flaggedLabels = norms.flatMap((n, t) =>
    n <= scores.median && indices[t] > ANOMALY_THRESHOLD ? [t] : [],
  );
  let suspect = 0;
  for (let t = 1; t < norms.length; t++) if (norms[t] < norms[suspect]) suspect = t;
  const modelIndex = indices[suspect];
  const withPerfectTrigger = norms.map((n, t) => (t === suspect ? 0 : n));
  return {
    ...scores,
    flaggedLabels,
    suspect,
    modelIndex,
    flagged: modelIndex > ANOMALY_THRESHOLD,
    indexCeiling: robustScores(withPerfectTrigger).indices[suspect],
  };
}

function robustScores(norms: readonly number[]): RobustScores {
  const med = median(norms);
  const deviations = norms.map((n) => Math.abs(n - med));
  const mad = MAD_CONSISTENCY * median(deviations);
  const meanAd = MEAN_AD_CONSISTENCY * (deviations.reduce((a, b) => a + b, 0) / deviations.length);
  const [scale, scaleKind] =
    mad > 0
      ? ([mad, 'mad'] as const)
      : meanAd > 0
        ? ([meanAd, 'mean-absolute-deviation'] as const)
        : ([0, 'none'] as const);
  return { median: med, mad, scale, scaleKind, indices: deviations.map((d) => (scale > 0 ? d / scale : 0)) };
}
