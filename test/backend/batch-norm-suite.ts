import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from '../../sim/backend/ops/batch-norm-training.ts';
import { onBothBackends, randomValues, relativeError } from './compare.ts';

const TOLERANCE = 1e-4;

/** The same layer as the models wrote it first: tf.moments then tf.batchNorm. */
function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, 1e-5);
}

/** batchNormTraining against the ops it replaces; the caller loads the backend. */
export function batchNormTrainingSuite(): void {
  describe('batchNormTraining equals moments + batchNorm, values and gradients', () => {
    for (const shape of [
      [4, 5, 3, 6],
      [2, 7, 9, 3],
    ]) {
      it(`x ${shape.join('x')}, on wasm (fused kernels) and cpu (ops)`, async () => {
        const c = [shape[3]];
        const loss = (bn: typeof reference) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.mul(bn(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D), w)) as tf.Scalar;
        const fused = (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => batchNormTraining(x, g, b, 1e-5);
        const inputs = [
          // An offset mean and a large spread, so the statistics matter.
          { shape, values: randomValues(shape, 41).map((v) => 3 + 2 * v) },
          { shape: c, values: randomValues(c, 42) },
          { shape: c, values: randomValues(c, 43) },
          { shape, values: randomValues(shape, 44) },
        ];
        const { wasm, cpu } = await onBothBackends((x, g, b, w) => {
          const y = fused(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D);
          const yRef = reference(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D);
          return [
            y,
            yRef,
            ...tf.grads(loss(fused))([x, g, b, w]),
            ...tf.grads(loss(reference))([x, g, b, w]),
          ];
        }, inputs);
        for (const [name, r] of [
          ['wasm', wasm],
          ['cpu', cpu],
        ] as const) {
          assert.ok(relativeError(r[0], r[1]) < TOLERANCE, `${name} value`);
          for (let i = 0; i < 4; i++) {
            const err = relativeError(r[2 + i], r[6 + i]);
            assert.ok(err < TOLERANCE, `${name}: gradient ${i} error ${err}`);
          }
        }
      });
    }

    it('hands the batch statistics to onStatistics', async () => {
      const shape = [3, 4, 4, 2];
      const x = tf.tensor4d(randomValues(shape, 51), shape as [number, number, number, number]);
      let seen: number[] = [];
      tf.tidy(() =>
        batchNormTraining(x, tf.ones([2]), tf.zeros([2]), 1e-5, ({ mean, variance }) => {
          seen = [...mean.dataSync(), ...variance.dataSync()];
        }),
      );
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      assert.ok(relativeError(seen, [...mean.dataSync(), ...variance.dataSync()]) < 1e-5);
      tf.dispose([x, mean, variance]);
    });
  });
}
