/**
 * What a replay answers, as pure functions of its per-version rows: for one campaign, the
 * gamma-survivability after its last poisoned version (paper Definition 5.1), the first
 * version at or below gamma, the area under the ASR curve, and the clean accuracy the
 * counterfactual policy costs, for the recorded history and the counterfactual one.
 */
import { mean, min } from 'simple-statistics';
import { asrArea, firstBelow, survivability } from '../metrics/survivability.ts';
import type { ScanOutcome } from '../stream/scan-step.ts';

export interface ReplayedModel {
  readonly schedule: string;
  /** Null when the recorded version carries no evaluation. */
  readonly cleanAccuracy: number | null;
  readonly asr: Readonly<Record<string, number>>;
}

export interface ReplayRow {
  readonly version: number;
  readonly step: number;
  readonly parentVersion: number | null;
  /** Campaigns whose poison went into this update. */
  readonly poisoned: readonly string[];
  readonly recorded: ReplayedModel & { readonly status: 'candidate' | 'rejected' };
  readonly counterfactual: ReplayedModel & { readonly diverged: boolean };
  /** The scan an observable policy ran after this update, if any. */
  readonly scan: ScanOutcome | null;
}

export interface HistoryStats {
  /** Versions after the last poisoned one whose ASR stayed above gamma (capped at the horizon). */
  readonly survivability: number;
  /** Versions after the last poisoned one until the first at or below gamma (1 = the next one). */
  readonly versionsUntilRemoval: number | null;
  /** That version's number. */
  readonly removedAt: number | null;
  /** Trapezoid area under the ASR of every replayed version. */
  readonly asrArea: number;
  readonly meanAccuracy: number | null;
  readonly minAccuracy: number | null;
}

export interface ReplaySummary {
  readonly campaign: string | null;
  readonly gamma: number;
  /** The last replayed version carrying the campaign's poison (null: it was poisoned before the range). */
  readonly lastPoisonedVersion: number | null;
  readonly recorded: HistoryStats;
  readonly counterfactual: HistoryStats;
  /** Mean recorded minus mean counterfactual clean accuracy (positive: the policy costs accuracy). */
  readonly accuracyCost: number | null;
}

/** The paper's horizon: survivability is read over at most 14 updates. */
export const HORIZON = 14;

function stats(
  rows: readonly ReplayRow[],
  model: (r: ReplayRow) => ReplayedModel,
  campaign: string | null,
  lastPoisoned: number,
  gamma: number,
): HistoryStats {
  const accuracies = rows.map((r) => model(r).cleanAccuracy).filter((a): a is number => a !== null);
  const asrOf = (r: ReplayRow) => (campaign === null ? undefined : model(r).asr[campaign]);
  const after = rows.slice(lastPoisoned + 1).filter((r) => asrOf(r) !== undefined);
  const afterAsr = after.map((r) => asrOf(r) as number);
  const below = firstBelow(afterAsr, gamma);
  const all = rows.map(asrOf).filter((a): a is number => a !== undefined);
  return {
    survivability: survivability(afterAsr, gamma, HORIZON),
    versionsUntilRemoval: below,
    removedAt: below === null ? null : after[below - 1].version,
    asrArea: asrArea(all),
    meanAccuracy: accuracies.length > 0 ? mean(accuracies) : null,
    minAccuracy: accuracies.length > 0 ? min(accuracies) : null,
  };
}

/** The campaign a replay is about: the last one poisoning the range, else the only probe. */
export function defaultCampaign(rows: readonly ReplayRow[]): string | null {
  const poisoned = rows.flatMap((r) => r.poisoned);
  if (poisoned.length > 0) return poisoned[poisoned.length - 1];
  const probes = new Set(rows.flatMap((r) => Object.keys(r.counterfactual.asr)));
  return probes.size === 1 ? [...probes][0] : null;
}

export function summarise(rows: readonly ReplayRow[], campaign: string | null, gamma = 0.5): ReplaySummary {
  let last = -1;
  rows.forEach((r, i) => {
    if (campaign !== null && r.poisoned.includes(campaign)) last = i;
  });
  const recorded = stats(rows, (r) => r.recorded, campaign, last, gamma);
  const counterfactual = stats(rows, (r) => r.counterfactual, campaign, last, gamma);
  return {
    campaign,
    gamma,
    lastPoisonedVersion: last < 0 ? null : rows[last].version,
    recorded,
    counterfactual,
    accuracyCost:
      recorded.meanAccuracy === null || counterfactual.meanAccuracy === null
        ? null
        : recorded.meanAccuracy - counterfactual.meanAccuracy,
  };
}
