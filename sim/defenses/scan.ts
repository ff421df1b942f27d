/** A defense scan: reverse-engineer a trigger per label, then Neural Cleanse's outlier test. */
import type { ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import { anomalyIndex } from './anomaly.ts';
import { NC_COST_DEFAULTS } from './cost-schedule.ts';
import { reverseEngineer } from './reverse-engineer.ts';
import type { DefenseName, ExtraLoss, ScanOptions, ScanResult } from './types.ts';

/**
 * The default budget (docs/defenses.md): 100 clean images, batches of 20 per label, at most
 * 30 epochs (150 steps). NC's published optimiser (Adam 0.1, betas 0.5/0.9, cost x1.5 up,
 * /1.5^1.5 down), but patience 3 instead of 5 and a first cost of 1e-2 instead of 1e-3, so
 * that the cost reaches the scale where MNIST masks shrink within this budget.
 */
export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  threshold: 0.99,
  samples: 100,
  batchSize: 20,
  maxEpochs: 30,
  lr: 0.1,
  beta1: 0.5,
  beta2: 0.9,
  cost: { ...NC_COST_DEFAULTS, initCost: 1e-2, patience: 3, earlyStopPatience: 6 },
  maskUpsample: 1,
  seed: 0,
};

export function resolveScanOptions(options: Partial<ScanOptions> = {}): ScanOptions {
  const resolved = {
    ...DEFAULT_SCAN_OPTIONS,
    ...options,
    cost: { ...DEFAULT_SCAN_OPTIONS.cost, ...options.cost },
  };
  const { threshold, samples, batchSize, maxEpochs, maskUpsample } = resolved;
  if (!(threshold > 0 && threshold <= 1))
    throw new Error(`scan threshold must be in (0, 1], got ${threshold}`);
  for (const [name, value] of Object.entries({ samples, batchSize, maxEpochs, maskUpsample })) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`scan ${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}

export async function runScan(
  defense: DefenseName,
  model: Model,
  clean: ImageSet,
  options: Partial<ScanOptions>,
  extraLoss?: ExtraLoss,
): Promise<ScanResult> {
  const resolved = resolveScanOptions(options);
  const { height, width, channels } = clean;
  if (height !== model.spec.height || width !== model.spec.width || channels !== model.spec.channels) {
    throw new Error(
      `scan images are ${height}x${width}x${channels}, the model takes ${model.spec.height}x${model.spec.width}x${model.spec.channels}`,
    );
  }
  const started = performance.now();
  const triggers = await reverseEngineer(model, clean, resolved, extraLoss);
  const anomaly = anomalyIndex(triggers.map((t) => t.norm));
  const labels = triggers.map(({ mask: _m, pattern: _p, ...rest }, i) => ({
    ...rest,
    anomalyIndex: anomaly.indices[i],
    flagged: anomaly.flaggedLabels.includes(i),
  }));
  return {
    defense,
    threshold: resolved.threshold,
    labels,
    anomaly,
    flagged: anomaly.flagged,
    modelIndex: anomaly.modelIndex,
    flaggedLabels: anomaly.flaggedLabels.map((i) => triggers[i].label),
    seconds: (performance.now() - started) / 1000,
    budget: {
      samples: Math.min(resolved.samples, clean.count),
      batchSize: resolved.batchSize,
      maxEpochs: resolved.maxEpochs,
      steps: triggers.reduce((n, t) => n + t.steps, 0),
      maskUpsample: resolved.maskUpsample,
    },
    triggers: triggers.map(({ label, mask, pattern }) => ({ label, mask, pattern })),
    shape: { height, width, channels },
  };
}

/** The scan without its images, for results.json and logs. */
export function scanSummary(result: ScanResult): Omit<ScanResult, 'triggers'> {
  const { triggers: _, ...summary } = result;
  return summary;
}
