import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../../sim/backend/loader.ts';
import { createModel, defaultModelSpec } from '../../sim/models/index.ts';
import { onBothBackends, randomValues, relativeError } from './compare.ts';

const TOLERANCE = 1e-4;

before(async () => {
  const info = await loadBackend({ backend: 'wasm', log: () => {} });
  assert.ok(info.gradients.includes('FusedBatchNorm'));
});

/** Batch norm written with elementary ops, whose gradients we do not replace: the reference. */
function batchNormByOps(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  offset: tf.Tensor,
  scale: tf.Tensor,
) {
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), scale), offset);
}

describe('replaced gradients equal the gradients of the same function written with plain ops', () => {
  const x = [3, 5, 4, 6];
  const c = [6];
  const inputs = [
    { shape: x, values: randomValues(x, 11) },
    { shape: c, values: randomValues(c, 12) },
    { shape: c, values: randomValues(c, 13).map((v) => v * v + 0.5) },
    { shape: c, values: randomValues(c, 14) },
    { shape: c, values: randomValues(c, 15) },
    { shape: x, values: randomValues(x, 16) },
  ];
  it('FusedBatchNorm: x, mean, variance, offset, scale', async () => {
    const loss =
      (bn: typeof batchNormByOps) =>
      (...t: tf.Tensor[]): tf.Scalar =>
        tf.sum(tf.mul(bn(t[0], t[1], t[2], t[3], t[4]), t[5]));
    const fused = tf.grads(
      loss((a, m, v, o, s) =>
        tf.batchNorm(a, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3),
      ),
    );
    const plain = tf.grads(loss(batchNormByOps));
    const { wasm, cpu } = await onBothBackends((...t) => [...fused(t), ...plain(t)], inputs);
    for (const [name, results] of [
      ['wasm', wasm],
      ['cpu', cpu],
    ] as const) {
      for (let i = 0; i < 6; i++) {
        const err = relativeError(results[i], results[6 + i]);
        assert.ok(err < TOLERANCE, `${name}: gradient ${i} error ${err}`);
      }
    }
  });

  it('BatchNorm in training mode (statistics from tf.moments) through x', async () => {
    const train = (byOps: boolean) => (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor, w: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      const y = byOps
        ? batchNormByOps(a, mean, variance, o, s)
        : tf.batchNorm(a, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3);
      return tf.sum(tf.mul(y, w)) as tf.Scalar;
    };
    const fused = tf.grads(train(false));
    const plain = tf.grads(train(true));
    const picked = [inputs[0], inputs[4], inputs[3], inputs[5]];
    const { wasm, cpu } = await onBothBackends((...t) => [...fused(t), ...plain(t)], picked);
    for (const [name, results] of [
      ['wasm', wasm],
      ['cpu', cpu],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const err = relativeError(results[i], results[4 + i]);
        assert.ok(err < TOLERANCE, `${name}: gradient ${i} error ${err}`);
      }
    }
  });

  it('Mean: equals the gradient of sum / n', async () => {
    const axes = [0, 2];
    const viaMean = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.mean(a, axes), tf.range(1, 25, 1).reshape([3, 8]))),
    );
    const viaSum = tf.grad((a: tf.Tensor) =>
      tf.sum(tf.mul(tf.div(tf.sum(a, axes), 20), tf.range(1, 25, 1).reshape([3, 8]))),
    );
    const shape = [4, 3, 5, 8];
    const { wasm, cpu } = await onBothBackends(
      (a) => [viaMean(a), viaSum(a)],
      [{ shape, values: randomValues(shape, 21) }],
    );
    assert.ok(relativeError(wasm[0], wasm[1]) < TOLERANCE);
    assert.ok(relativeError(cpu[0], cpu[1]) < TOLERANCE);
  });
});

describe('a whole training gradient on wasm matches the cpu backend', () => {
  for (const arch of ['small-cnn', 'resnet9'] as const) {
    it(arch, async () => {
      const shape =
        arch === 'small-cnn'
          ? { height: 12, width: 12, channels: 1 }
          : { height: 16, width: 16, channels: 3 };
      const batch = 6;
      const xShape = [batch, shape.height, shape.width, shape.channels];
      const results: Record<string, Float32Array[]> = {};
      for (const backend of ['wasm', 'cpu']) {
        await tf.setBackend(backend);
        const model = createModel(defaultModelSpec(arch, shape, 10), 7);
        const x = tf.tensor4d(randomValues(xShape, 31), xShape as [number, number, number, number]);
        const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10);
        const { grads } = tf.variableGrads(
          () => tf.losses.softmaxCrossEntropy(y, model.apply(x, true)) as tf.Scalar,
          [...model.trainable.values()],
        );
        results[backend] = [...model.trainable.values()].map((v) => grads[v.name].dataSync() as Float32Array);
        tf.dispose([x, y, ...Object.values(grads)]);
        model.dispose();
      }
      await tf.setBackend('wasm');
      results.wasm.forEach((g, i) => {
        const err = relativeError(g, results.cpu[i]);
        assert.ok(err < 1e-3, `parameter ${i}: error ${err}`);
      });
    });
  }
});
