import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../../sim/backend/loader.ts';
import { createModel, defaultModelSpec, deserializeModel, serializeModel } from '../../sim/models/index.ts';

const shape = { height: 28, width: 28, channels: 1 };

before(async () => {
  await loadBackend({ backend: 'wasm', log: () => undefined });
});

test('the same spec and seed give the same weights; another seed does not', () => {
  const spec = defaultModelSpec('small-cnn', shape, 10);
  const [a, b, c] = [createModel(spec, 1), createModel(spec, 1), createModel(spec, 2)];
  const first = (m: typeof a): Float32Array =>
    m.trainable.get('block1.conv.kernel')!.dataSync() as Float32Array;
  assert.deepEqual(first(a), first(b));
  assert.notDeepEqual(first(a), first(c));
  for (const m of [a, b, c]) m.dispose();
});

test('a serialised model round-trips to identical logits', () => {
  for (const arch of ['small-cnn', 'resnet9'] as const) {
    const model = createModel(defaultModelSpec(arch, shape, 10), 3);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const copy = deserializeModel(serializeModel(model));
    const [y1, y2] = [model.apply(x, false), copy.apply(x, false)];
    assert.deepEqual(y1.dataSync(), y2.dataSync(), arch);
    assert.deepEqual(copy.spec, model.spec);
    tf.dispose([x, y1, y2]);
    model.dispose();
    copy.dispose();
  }
});

test('a corrupt model file is refused with a clear error', () => {
  const model = createModel(defaultModelSpec('small-cnn', shape, 10), 0);
  const bytes = serializeModel(model);
  model.dispose();
  assert.throws(() => deserializeModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /bad magic/);
  assert.throws(() => deserializeModel(bytes.subarray(0, bytes.length - 100)), /truncated/);
});
