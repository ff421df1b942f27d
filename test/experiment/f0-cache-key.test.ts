import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExperimentConfig, withResolvedAttack } from '../../sim/experiment/config.ts';
import { f0CacheKey } from '../../sim/experiment/runner.ts';

test('f0CacheKey: an attack spelled with or without its defaults shares one F0', () => {
  // `permanence run --attack badnets` keeps { kind } while a sweep writes the defaults out;
  // on the colour set BadNets' default patch is 4 px (docs/data-and-attacks.md).
  const run = parseExperimentConfig({ dataset: 'colour', attack: { kind: 'badnets' } });
  const sweep = withResolvedAttack(run);
  assert.deepEqual(sweep.attack, { kind: 'badnets', size: 4, value: 1 });
  assert.equal(f0CacheKey(run, 0), f0CacheKey(sweep, 0));
  const explicit = parseExperimentConfig({ dataset: 'colour', attack: { kind: 'badnets', size: 4 } });
  assert.equal(f0CacheKey(explicit, 0), f0CacheKey(run, 0));
});

test('f0CacheKey: what shapes F0 changes the key, what comes after F0 does not', () => {
  const base = parseExperimentConfig({ dataset: 'colour', attack: { kind: 'badnets' } });
  const key = f0CacheKey(base, 0);
  const other = (input: object) => f0CacheKey(parseExperimentConfig({ dataset: 'colour', ...input }), 0);
  assert.notEqual(other({ attack: { kind: 'badnets', size: 3 } }), key);
  assert.notEqual(other({ attack: { kind: 'badnets' }, poisonRatio: 0.2 }), key);
  assert.notEqual(f0CacheKey(base, 1), key);
  assert.equal(other({ attack: { kind: 'badnets' }, updates: 3, drift: 'hue:0.04' }), key);
  // A clean F0 is one F0 whatever attack the updates would meet.
  const d1 = (kind: string) =>
    f0CacheKey(parseExperimentConfig({ dataset: 'colour', attack: { kind }, injection: { mode: 'd1' } }), 0);
  assert.equal(d1('badnets'), d1('blend'));
});
