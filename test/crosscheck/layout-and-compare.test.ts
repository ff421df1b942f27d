import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  gaps,
  summariseGroups,
  timelineSurvivability,
  type JobResult,
  type Side,
} from '../../sim/crosscheck/compare.ts';
import { exportTwinInputs } from '../../sim/crosscheck/export.ts';
import { denseToLinear, hwioToOihw } from '../../sim/crosscheck/torch-layout.ts';
import { mnistDigitsDir } from '../../sim/crosscheck/twin.ts';
import { subset } from '../../sim/data/image-set.ts';
import { loadMnist } from '../../sim/data/mnist.ts';
import { loadDataset } from '../../sim/data/registry.ts';
import { parseExperimentConfig } from '../../sim/experiment/config.ts';

test('hwioToOihw moves a conv kernel to torch layout', () => {
  // 1x2 kernel, 2 in, 2 out: HWIO value at (h, w, i, o) = 1000h + 100w + 10i + o.
  const hwio = [0, 1, 10, 11, 100, 101, 110, 111];
  const t = hwioToOihw(hwio, [1, 2, 2, 2]);
  assert.deepEqual(t.shape, [2, 2, 1, 2]);
  // OIHW order: o, i, h, w.
  assert.deepEqual(t.data, [0, 100, 10, 110, 1, 101, 11, 111]);
});

test('denseToLinear transposes and reorders NHWC features to NCHW', () => {
  // 1x2 map with 2 channels: NHWC feature index (x, c) = 2x + c; one output.
  const kernel = [0, 1, 2, 3]; // [features = 4, out = 1], value = NHWC index
  const t = denseToLinear(kernel, [4, 1], { height: 1, width: 2, channels: 2 });
  assert.deepEqual(t.shape, [1, 4]);
  // NCHW order: (c0, x0), (c0, x1), (c1, x0), (c1, x1) -> NHWC 0, 2, 1, 3.
  assert.deepEqual(t.data, [0, 2, 1, 3]);
});

test('the export picks the images the runner splits off, in its order', () => {
  const config = parseExperimentConfig({
    updates: 1,
    f0: { epochs: 1, batchSize: 512, schedule: 'sgd:0.01' },
  });
  const inputs = exportTwinInputs(config, 3, { mnistDigitsDir: mnistDigitsDir() });
  const data = loadDataset('mnist', 3);
  const mnist = loadMnist();
  for (const part of ['d0', 'pool', 'test'] as const) {
    const picked = subset(mnist, inputs.split[part]);
    assert.deepEqual(picked.labels, data[part].labels, part);
    assert.deepEqual(picked.images, data[part].images, part);
  }
  assert.equal(inputs.trainings[0]?.poisoned?.length, 400);
  assert.equal(inputs.trainings[1]?.poisoned, null);
  assert.equal(inputs.trainings[1]?.orders[0]?.length, 4000);
});

const side = (survivability: number | null, asr: number[], acc: number[]): Side => ({
  label: 'x',
  survivability,
  seconds: 0,
  models: asr.map((a, index) => ({ index, asr: a, cleanAccuracy: acc[index] ?? 0 })),
});

test('gaps are in points and survivability is counted after the poisoned model', () => {
  const config = parseExperimentConfig({ updates: 3 });
  // F1..F3 ASR 0.9, 0.6, 0.4 -> 2 models above 0.5.
  assert.equal(timelineSurvivability(config, side(null, [1, 0.9, 0.6, 0.4], []).models), 2);
  const g = gaps(
    side(2, [1, 0.9, 0.6, 0.4], [0.99, 0.98, 0.97, 0.96]),
    side(1, [1, 0.8, 0.4, 0.4], [0.985, 0.98, 0.97, 0.95]),
  );
  assert.equal(g.survivability, -1);
  // |0.1| + |0.2| + 0 over 3 updates = 10 points.
  assert.ok(Math.abs((g.meanAbsAsr ?? 0) - 10) < 1e-9);
  assert.ok(Math.abs(g.f0Accuracy - 0.5) < 1e-9);
});

test('the bar: mean survivability within 1, each seed within 2', () => {
  const job = (seed: number, p: number, t: number): JobResult => ({
    format: 1,
    job: `j${seed}`,
    experiment: 'e',
    attack: 'badnets',
    schedule: 'sgd:0.01',
    seed,
    config: {},
    permanence: side(p, [1, 0.9], [0.99, 0.98]),
    twin: side(t, [1, 0.9], [0.99, 0.98]),
    twinNoise: null,
    machine: 'm',
    finishedAt: '',
  });
  const [ok] = summariseGroups([job(0, 6, 5), job(1, 5, 6), job(2, 3, 3)]);
  assert.equal(ok?.meanSurvivabilityGap, 0);
  assert.equal(ok?.pass.survivability, true);
  // Means 14/3 vs 17/3 are 1 apart, but seed 0 is 3 apart.
  const [bad] = summariseGroups([job(0, 6, 9), job(1, 5, 5), job(2, 3, 3)]);
  assert.equal(bad?.maxSeedSurvivabilityGap, 3);
  assert.equal(bad?.pass.survivability, false);
});
