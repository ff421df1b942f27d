import { resolveAttack } from '../attacks/index.ts';
import type { ImageShape } from '../data/image-set.ts';
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

/** Image shape per data set, known without loading it (for attack defaults). */
export function datasetShape(dataset: string): ImageShape {
  return dataset === 'mnist'
    ? { height: 28, width: 28, channels: 1 }
    : { height: 32, width: 32, channels: 3 };
}

/** The config with the attack's defaults written out (the runner resolves them the same way). */
export function withResolvedAttack(config: ExperimentConfig): ExperimentConfig {
  if (!config.attack) return config;
  return { ...config, attack: resolveAttack(config.attack, datasetShape(config.dataset)) };
}
