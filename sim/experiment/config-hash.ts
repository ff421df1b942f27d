import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { ExperimentConfig } from './config.ts';

/**
 * The one canonical form of a config: JSON with object keys sorted at every level and
 * undefined fields left out, so equal configs hash equally whatever their key order.
 * Sweep experiment ids and run-folder hashes both derive from it.
 */
const stableJson = configure({ deterministic: true, circularValue: TypeError, bigint: false });

export function canonicalJson(value: unknown): string {
  const text = stableJson(value);
  if (text === undefined) throw new TypeError('canonicalJson: value has no JSON form');
  return text;
}

/**
 * sha256 of the canonical JSON of a config without its name and seeds (hex, `length`
 * characters): a renamed experiment or one with more seeds is the same experiment.
 */
export function configHash(config: ExperimentConfig, length = 16): string {
  const { name: _name, seeds: _seeds, ...rest } = config;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, length);
}
