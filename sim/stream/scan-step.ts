/**
 * A backdoor scan of a model on clean images of the current drift step, at a fixed budget:
 * the live loop's scans (services/worker/scan.ts) and the scans of an observable replay
 * policy (sim/replay/) run this one function, so a replayed scan sees what the live one saw.
 */
import type { ImageSet } from '../data/image-set.ts';
import { subset } from '../data/image-set.ts';
import { getDefense } from '../defenses/index.ts';
import type { DefenseName } from '../defenses/types.ts';
import type { Model } from '../models/index.ts';
import { createRng, permutation } from '../rng.ts';

export interface ScanBudget {
  readonly defense: DefenseName;
  /** Clean images given to the scan. */
  readonly subset: number;
  /** Passes over them per label at most. */
  readonly maxEpochs: number;
}

export interface ScanOutcome {
  defense: string;
  anomalyIndex: number;
  /** The index a zero-norm trigger on the suspect label would reach (sim/defenses/anomaly.ts). */
  indexCeiling: number;
  flagged: boolean;
  flaggedLabels: number[];
  seconds: number;
}

/** The scan's clean images: a `scan:<step>` sample of the step's test set. */
export function scanImages(test: ImageSet, step: number, count: number): ImageSet {
  return subset(
    test,
    permutation(test.count, createRng(`scan:${step}`)).subarray(0, Math.min(count, test.count)),
  );
}

export async function scanStep(
  model: Model,
  test: ImageSet,
  step: number,
  budget: ScanBudget,
): Promise<ScanOutcome> {
  const clean = scanImages(test, step, budget.subset);
  const result = await getDefense(budget.defense).scan(model, clean, {
    samples: clean.count,
    maxEpochs: budget.maxEpochs,
    seed: step,
  });
  return {
    defense: result.defense,
    anomalyIndex: result.modelIndex,
    indexCeiling: result.anomaly.indexCeiling,
    flagged: result.flagged,
    flaggedLabels: [...result.flaggedLabels],
    seconds: result.seconds,
  };
}
