// Kept apart from scan.ts, which loads tfjs: the CLI's help text shows these defaults.
import { NC_COST_DEFAULTS } from './cost-schedule.ts';
import type { ScanOptions } from './types.ts';

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
