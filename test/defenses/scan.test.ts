/**
 * End to end on a model built so that its backdoor is known: 8x8 images, five classes, each
 * class lights one row; the logits are linear in the pixels, and a 2x2 white patch in the
 * bottom-right corner adds a large bonus to label 0. Flipping any image to label t != 0 needs
 * a mask over a whole row and more (about 36), to label 0 little more than the patch (4), so a
 * scan must single out label 0. Runs on the cpu backend in a few seconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createImageSet, type ImageSet } from '../../sim/data/image-set.ts';
import { neuralCleanse, tabor, ScanAbortedError, triggerGridPng } from '../../sim/defenses/index.ts';
import type { Model, ModelSpec } from '../../sim/models/model.ts';
import { createRng } from '../../sim/rng.ts';

await tf.setBackend('cpu');

const SIDE = 8;
const CLASSES = 5;
const spec: ModelSpec = {
  arch: 'small-cnn',
  height: SIDE,
  width: SIDE,
  channels: 1,
  numClasses: CLASSES,
  widthMultiplier: 1,
  logitScale: 1,
};

function backdooredModel(): Model {
  const w = new Float32Array(SIDE * SIDE * CLASSES);
  for (let c = 0; c < CLASSES; c++)
    for (let col = 0; col < SIDE; col++) w[(c * SIDE + col) * CLASSES + c] = 0.5;
  for (const [r, col] of [
    [6, 6],
    [6, 7],
    [7, 6],
    [7, 7],
  ])
    w[(r * SIDE + col) * CLASSES] = 2;
  const weights = tf.variable(tf.tensor2d(w, [SIDE * SIDE, CLASSES]), false, 'scan-test/w');
  return {
    spec,
    apply: (x) => tf.matMul(tf.reshape(x, [x.shape[0], SIDE * SIDE]), weights),
    trainable: new Map([['w', weights]]),
    state: new Map(),
    dispose: () => weights.dispose(),
  };
}

function cleanImages(count: number): ImageSet {
  const rng = createRng('scan-test');
  const images = new Float32Array(count * SIDE * SIDE);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % CLASSES;
    for (let p = 0; p < SIDE * SIDE; p++) images[i * SIDE * SIDE + p] = 0.1 * rng.next();
    for (let col = 0; col < SIDE; col++)
      images[i * SIDE * SIDE + labels[i] * SIDE + col] = 0.9 + 0.1 * rng.next();
  }
  return createImageSet({ height: SIDE, width: SIDE, channels: 1 }, images, labels, CLASSES);
}

const budget = { samples: 50, batchSize: 10, maxEpochs: 25, seed: 1 };

for (const defense of [neuralCleanse, tabor]) {
  test(`${defense.name} finds the planted backdoor, flags label 0 and frees its tensors`, async () => {
    const model = backdooredModel();
    const before = tf.memory().numTensors;
    const result = await defense.scan(model, cleanImages(100), budget);
    assert.equal(tf.memory().numTensors, before, 'live tensors after the scan equal those before');
    model.dispose();
    assert.equal(result.defense, defense.name);
    assert.equal(result.labels.length, CLASSES);
    const norms = result.labels.map((l) => l.norm);
    assert.equal(result.anomaly.suspect, 0, `norms ${norms.map((n) => n.toFixed(2)).join(', ')}`);
    assert.ok(norms[0] < 6, `label 0 norm ${norms[0]}`);
    for (const l of result.labels.slice(1))
      assert.ok(l.norm > 3 * norms[0], `label ${l.label} norm ${l.norm}`);
    assert.ok(result.labels[0].metThreshold && result.labels[0].asr >= 0.99);
    assert.equal(result.flagged, true);
    assert.deepEqual(result.flaggedLabels, [0]);
    assert.ok(result.modelIndex > 2);
    assert.ok(result.labels.every((l) => l.steps > 0 && l.epochs > 0 && l.epochs <= budget.maxEpochs));
    assert.equal(result.triggers[0].mask.length, SIDE * SIDE);
    // The recovered mask sits on the patch: its four pixels carry most of the mask.
    const m = result.triggers[0].mask;
    const patch = m[54] + m[55] + m[62] + m[63];
    assert.ok(patch > 0.6 * norms[0], `patch ${patch} of ${norms[0]}`);
    const png = triggerGridPng(result);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
  });
}

test('a scan can be cancelled and leaves no tensors behind', async () => {
  const model = backdooredModel();
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  const scan = neuralCleanse.scan(model, cleanImages(100), {
    ...budget,
    signal: controller.signal,
    onEpoch: (epoch) => {
      if (epoch === 1) controller.abort();
    },
  });
  await assert.rejects(scan, (error: unknown) => error instanceof ScanAbortedError);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test('bad budgets are refused before any work', async () => {
  const model = backdooredModel();
  await assert.rejects(neuralCleanse.scan(model, cleanImages(10), { threshold: 1.5 }), /threshold/);
  await assert.rejects(neuralCleanse.scan(model, cleanImages(10), { samples: 0 }), /samples/);
  model.dispose();
});
