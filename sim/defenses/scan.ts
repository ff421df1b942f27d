/** A defense scan: reverse-engineer a trigger per label, then Neural Cleanse's outlier test. */
import type { ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import { anomalyIndex } from './anomaly.ts';
import { NC_COST_DEFAULTS } from './cost-schedule.ts';
import { reverseEngineer } from './reverse-engineer.ts';
import type { DefenseName, ExtraLoss, ScanOptions, ScanResult } from './types.ts';

/**
 * The default budget: enough for the MNIST detections in docs/defenses.md in about a
 * minute on 2 cores. NC's own settings otherwise (Adam 0.1, betas 0.5/0.9, patience 5).
 */
export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  threshold: 0.99,
  samples: 500,
  batchSize: 50,
  maxEpochs: 40,
  lr: 0.1,
  beta1: 0.5,
  beta2: 0.9,
  cost: NC_COST_DEFAULTS,
  seed: 0,
};

export function resolveScanOptions(options: Partial<ScanOptions> = {}): ScanOptions {
  const resolved = { ...DEFAULT_SCAN_OPTIONS, ...options, cost: { ...NC_COST_DEFAULTS, ...options.cost } };
  const { threshold, samples, batchSize, maxEpochs } = resolved;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`scan threshold must be in (0, 1], got ${threshold}`);
  for (const [name, value] of Object.entries({ samples, batchSize, maxEpochs })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`scan ${name} must be a positive integer, got ${value}`);
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
    throw new Error(`scan images are ${height}x${width}x${channels}, the model takes ${model.spec.height}x${model.spec.width}x${model.spec.channels}`);
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
