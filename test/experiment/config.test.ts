import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  configWarnings,
  isPoisoned,
  lastPoisonedModel,
  parseExperimentConfig,
} from '../../sim/experiment/config.ts';

test('defaults follow the protocol: MNIST, BadNets 10% in D0, rotate 4, 15 updates, SGD 0.01 batch 64', () => {
  const c = parseExperimentConfig({});
  assert.equal(c.dataset, 'mnist');
  assert.deepEqual(c.attack, { kind: 'badnets' });
  assert.equal(c.poisonRatio, 0.1);
  assert.deepEqual(c.drift, [{ kind: 'rotate', step: 4, interpolation: 'nearest' }]);
  assert.equal(c.updates, 15);
  assert.deepEqual(c.update, { epochs: 5, batchSize: 64, schedule: { kind: 'constant', lr: 0.01 } });
});

test('injection modes decide which models train on poison and where survivability starts', () => {
  const d0 = parseExperimentConfig({ injection: { mode: 'd0' } });
  const d1 = parseExperimentConfig({ injection: { mode: 'd1' } });
  const p5 = parseExperimentConfig({ injection: { mode: 'persistent', updates: 5 } });
  const clean = parseExperimentConfig({ attack: null });
  assert.deepEqual(
    [0, 1, 2].map((i) => isPoisoned(d0, i)),
    [true, false, false],
  );
  assert.deepEqual(
    [0, 1, 2].map((i) => isPoisoned(d1, i)),
    [false, true, false],
  );
  assert.deepEqual(
    [0, 1, 5, 6].map((i) => isPoisoned(p5, i)),
    [false, true, true, false],
  );
  assert.equal(isPoisoned(clean, 0), false);
  assert.deepEqual([d0, d1, p5, clean].map(lastPoisonedModel), [0, 1, 5, null]);
});

test('a bad config names every bad field', () => {
  assert.throws(
    () =>
      parseExperimentConfig({
        poisonRatio: 2,
        drift: 'spin:3',
        update: { epochs: 0, batchSize: 64, schedule: 'sgd:0.1' },
      }),
    (error: Error) =>
      /poisonRatio/.test(error.message) &&
      /drift/.test(error.message) &&
      /update\.epochs/.test(error.message),
  );
  assert.throws(() => parseExperimentConfig({ dataset: 'imagenet' }), /dataset/);
  assert.throws(() => parseExperimentConfig({ colour: true }), /Unrecognized key/);
});

test('configWarnings: WaNet whose noise mode leaves under 10% of the poisoned set clean', () => {
  const wanet = (poisonRatio: number, crossRatio?: number) =>
    configWarnings(parseExperimentConfig({ attack: { kind: 'wanet', crossRatio }, poisonRatio }));
  assert.deepEqual(wanet(0.1), []);
  assert.deepEqual(wanet(0.3), []); // 10% clean
  assert.match(
    wanet(0.4)[0] ?? '',
    /poison ratio 0\.4 with crossRatio 2 leaves 0% of the poisoned set clean/,
  );
  assert.match(wanet(0.32)[0] ?? '', /leaves 4% /);
  assert.deepEqual(wanet(0.4, 0), []);
  assert.deepEqual(
    configWarnings(parseExperimentConfig({ attack: { kind: 'badnets' }, poisonRatio: 0.8 })),
    [],
  );
});
