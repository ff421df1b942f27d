import { DEFAULT_SPLITS } from '../data/registry.ts';
import { stepsPerRun } from '../train/trainer.ts';
import type { ExperimentConfig } from './config.ts';

/**
 * Optimiser steps of one seed of an experiment (F0 on D0, then every update on the pool or
 * its subset), from the config and the data set's default split: the one estimate behind the
 * run and sweep progress bars and the sweep's run order.
 */
export function experimentSteps(config: ExperimentConfig, withF0 = true): number {
  const split = config.dataset.startsWith('cifar10:') ? DEFAULT_SPLITS.cifar10 : DEFAULT_SPLITS.mnist;
  const pool = Math.min(config.poolSubset ?? split.pool, split.pool);
  const f0 = withF0 ? stepsPerRun(split.d0, config.f0.batchSize, config.f0.epochs) : 0;
  return f0 + config.updates * stepsPerRun(pool, config.update.batchSize, config.update.epochs);
}
