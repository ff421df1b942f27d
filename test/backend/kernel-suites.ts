import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../../sim/backend/loader.ts';
import { batchNormTrainingSuite } from './batch-norm-suite.ts';
import { onBothBackends, randomValues, relativeError } from './compare.ts';

const TOLERANCE = 1e-5;

/**
 * Checks every kernel Permanence registers on wasm against tfjs's cpu backend. Run twice:
 * with the native addon (when built) and with the JS/wasm kernels alone.
 */
export function kernelSuites(native: boolean): void {
  before(async () => {
    const info = await loadBackend({ backend: 'wasm', log: () => {} });
    assert.equal(info.name, 'wasm');
    assert.equal(info.native.loaded, native, info.native.detail);
    assert.ok(info.kernels.includes('PermanenceBatchNormGrad'));
  });

  batchNormTrainingSuite();

  type Pad = 'same' | 'valid';
  const CONV_CASES: { x: number[]; k: number; cout: number; stride: number; pad: Pad }[] = [];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      CONV_CASES.push({ x: [3, 9, 7, 2], k: 3, cout: 5, stride, pad });
      CONV_CASES.push({ x: [2, 8, 10, 3], k: 1, cout: 4, stride, pad });
      CONV_CASES.push({ x: [2, 11, 6, 4], k: 5, cout: 3, stride, pad });
    }
  }

  describe('conv2d gradients on wasm match the cpu backend', () => {
    for (const c of CONV_CASES) {
      const label = `x ${c.x.join('x')}, ${c.k}x${c.k} -> ${c.cout}, stride ${c.stride}, ${c.pad}`;
      it(label, async () => {
        const w = [c.k, c.k, c.x[3], c.cout];
        const grads = tf.grads((x: tf.Tensor, f: tf.Tensor) =>
          // A non-uniform dy, so that every position of the gradient is exercised.
          tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad))),
        );
        const { wasm, cpu } = await onBothBackends(
          (x, f) => grads([x, f]),
          [
            { shape: c.x, values: randomValues(c.x, 1) },
            { shape: w, values: randomValues(w, 2) },
          ],
        );
        assert.ok(relativeError(wasm[0], cpu[0]) < TOLERANCE, `dx error ${relativeError(wasm[0], cpu[0])}`);
        assert.ok(relativeError(wasm[1], cpu[1]) < TOLERANCE, `dW error ${relativeError(wasm[1], cpu[1])}`);
      });
    }
  });

  describe('max-pool gradient on wasm matches the cpu backend', () => {
    const cases: { x: number[]; size: number; stride: number; pad: Pad }[] = [
      { x: [3, 8, 8, 4], size: 2, stride: 2, pad: 'valid' },
      { x: [2, 9, 7, 3], size: 2, stride: 2, pad: 'valid' },
      { x: [2, 9, 7, 3], size: 3, stride: 2, pad: 'same' },
      { x: [2, 6, 5, 2], size: 3, stride: 1, pad: 'same' },
    ];
    for (const c of cases) {
      it(`x ${c.x.join('x')}, ${c.size}x${c.size} stride ${c.stride} ${c.pad}, with tied maxima`, async () => {
        const grad = tf.grad((x: tf.Tensor) => {
          const pooled = tf.maxPool(x as tf.Tensor4D, c.size, c.stride, c.pad);
          // A distinct dy per output, so that a misrouted gradient shows.
          return tf.sum(tf.mul(pooled, tf.reshape(tf.range(1, pooled.size + 1, 1), pooled.shape)));
        });
        // Values from {-1, -0.5, 0, 0.5, 1}: many windows have tied maxima, and the gradient
        // must go to the first of them in row-major order, as on the cpu backend.
        const values = randomValues(c.x, 3).map((v) => Math.round(v * 2) / 2);
        const { wasm, cpu } = await onBothBackends((x) => [grad(x)], [{ shape: c.x, values }]);
        assert.ok(relativeError(wasm[0], cpu[0]) < TOLERANCE, `error ${relativeError(wasm[0], cpu[0])}`);
      });
    }
  });

  describe('sum and mean on wasm match the cpu backend', () => {
    const cases: { shape: number[]; axes: number[]; keepDims: boolean }[] = [
      { shape: [4, 5, 3, 6], axes: [0, 1, 2], keepDims: false },
      { shape: [4, 5, 3, 6], axes: [0, 1, 2], keepDims: true },
      { shape: [7, 3], axes: [0], keepDims: false },
      { shape: [4, 5, 3, 6], axes: [1, 2], keepDims: false },
      { shape: [4, 5, 3, 6], axes: [3], keepDims: true },
      { shape: [4, 5, 3, 6], axes: [0, 1, 2, 3], keepDims: false },
    ];
    for (const c of cases) {
      it(`shape ${c.shape.join('x')}, axes [${c.axes}], keepDims ${c.keepDims}`, async () => {
        const { wasm, cpu } = await onBothBackends(
          (x) => {
            const sum = tf.sum(x, c.axes, c.keepDims);
            const mean = tf.mean(x, c.axes, c.keepDims);
            return [sum, mean, tf.tensor1d([sum.rank, ...sum.shape, mean.rank, ...mean.shape])];
          },
          [{ shape: c.shape, values: randomValues(c.shape, 5) }],
        );
        assert.deepEqual(wasm[2], cpu[2], 'output shapes differ');
        assert.ok(relativeError(wasm[0], cpu[0]) < TOLERANCE);
        assert.ok(relativeError(wasm[1], cpu[1]) < TOLERANCE);
      });
    }
  });

  describe('batchNorm (FusedBatchNorm) on wasm matches the cpu backend', () => {
    const x = [3, 5, 4, 6];
    const c = [6];
    const cases: { name: string; shapes: number[][] }[] = [
      { name: 'per-channel mean, variance, offset, scale', shapes: [x, c, c, c, c] },
      { name: 'without offset and scale', shapes: [x, c, c] },
      { name: 'full-shape parameters (built-in kernel)', shapes: [x, x, x, x, x] },
    ];
    for (const { name, shapes } of cases) {
      it(name, async () => {
        const inputs = shapes.map((shape, i) => ({
          shape,
          values: randomValues(shape, 60 + i).map((v) => (i === 2 ? v * v + 0.1 : v)),
        }));
        const { wasm, cpu } = await onBothBackends(
          (xt, m, v, o, s) => [tf.batchNorm(xt, m, v, o, s, 1e-3)],
          inputs,
        );
        assert.ok(relativeError(wasm[0], cpu[0]) < TOLERANCE, `error ${relativeError(wasm[0], cpu[0])}`);
      });
    }
  });
}
