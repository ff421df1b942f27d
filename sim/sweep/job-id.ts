import type { ExperimentConfig } from '../experiment/config.ts';
import { configHash } from '../experiment/config-hash.ts';

/**
 * Stable ids: an experiment id is a hash of its canonical config (keys sorted, attack
 * defaults filled in, name and seeds left out), so `badnets` and `badnets:size=3` on MNIST
 * are one experiment and a renamed grid keeps its results. A job is one (experiment, seed).
 */
export function experimentId(config: ExperimentConfig): string {
  return configHash(config, 12);
}

export function jobId(experiment: string, seed: number): string {
  return `${experiment}-s${seed}`;
}
