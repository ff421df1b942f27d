/** A defense scan: reverse-engineer a trigger per label, then Neural Cleanse's outlier test. */
import type { ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import { anomalyIndex } from './anomaly.ts';
import { DEFAULT_SCAN_OPTIONS } from './scan-defaults.ts';
import { reverseEngineer } from './reverse-engineer.ts';
import type { DefenseName, ExtraLoss, ScanOptions, ScanResult } from './types.ts';

export { DEFAULT_SCAN_OPTIONS } from './scan-defaults.ts';

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
