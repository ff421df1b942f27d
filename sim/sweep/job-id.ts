import { createHash } from 'node:crypto';
import { resolveAttack } from '../attacks/index.ts';
import type { ImageShape } from '../data/image-set.ts';
import type { ExperimentConfig } from '../experiment/config.ts';

/**
 * Stable ids: an experiment id is a hash of its canonical config (keys sorted, attack
 * defaults filled in, name and seeds left out), so `badnets` and `badnets:size=3` on MNIST
 * are one experiment and a renamed grid keeps its results. A job is one (experiment, seed).
 */
export function experimentId(config: ExperimentConfig): string {
  const { name: _name, seeds: _seeds, ...rest } = config;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 12);
}

export function jobId(experiment: string, seed: number): string {
  return `${experiment}-s${seed}`;
}

/** JSON with object keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => [k, sortKeys(obj[k])]),
  );
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
