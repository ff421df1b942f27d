import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../../sim/backend/loader.ts';
import { subset } from '../../sim/data/image-set.ts';
import { loadMnist } from '../../sim/data/mnist.ts';
import { accuracy } from '../../sim/metrics/evaluate.ts';
import { createModel, defaultModelSpec, serializeModel } from '../../sim/models/index.ts';
import { train } from '../../sim/train/trainer.ts';

before(async () => {
  await loadBackend({ backend: 'wasm', log: () => undefined });
});

const data = (): ReturnType<typeof loadMnist> => {
  const all = loadMnist();
  return subset(
    all,
    Array.from({ length: 512 }, (_, i) => i),
  );
};

test('training learns real digits, is deterministic per seed and frees its tensors', async () => {
  const set = data();
  const spec = defaultModelSpec('small-cnn', set, 10);
  const options = {
    epochs: 3,
    batchSize: 64,
    schedule: { kind: 'stlr', maxLr: 0.5, cut: 0.1 },
    seed: 5,
  } as const;
  const before = tf.memory().numTensors;
  const a = createModel(spec, 1);
  const untrained = await accuracy(a, set);
  const report = await train(a, set, options);
  assert.equal(report.steps, 24);
  assert.equal(report.diverged, false);
  assert.ok(Number.isFinite(report.loss) && report.loss < 1.5, `loss ${report.loss}`);
  const trained = await accuracy(a, set);
  assert.ok(trained > 0.8 && trained > untrained + 0.3, `accuracy ${untrained} -> ${trained}`);
  const b = createModel(spec, 1);
  await train(b, set, options);
  assert.deepEqual(serializeModel(a), serializeModel(b), 'same seed, same weights');
  a.dispose();
  b.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
});

test('a learning rate far too high is reported as divergence, not as a result', async () => {
  const set = data();
  const model = createModel(defaultModelSpec('small-cnn', set, 10, { logitScale: 1 }), 1);
  const report = await train(model, set, {
    epochs: 2,
    batchSize: 64,
    schedule: { kind: 'constant', lr: 1e6 },
    seed: 0,
  });
  assert.equal(report.diverged, true);
  assert.ok(Number.isNaN(report.loss));
  model.dispose();
});
