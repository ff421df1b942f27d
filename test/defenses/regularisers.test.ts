import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  blockingLoss,
  groupedCrossEntropy,
  maskSize,
  overlayingLoss,
  patternSize,
  smoothness,
  visiblePattern,
} from '../../sim/defenses/regularisers.ts';
import { taborLoss } from '../../sim/defenses/tabor.ts';
import type { Model } from '../../sim/models/model.ts';

await tf.setBackend('cpu');

// Two labels of 2x2x1 triggers. Label 0 by hand below; label 1 has mask 0 and pattern 1.
// M = [[0.5, 1], [0, 0.25]], P = [[1, 0.5], [0.2, 0.8]] -> (1-M) P = [[0.5, 0], [0.2, 0.6]].
const mask = (): tf.Tensor4D => tf.tensor4d([0.5, 1, 0, 0.25, 0, 0, 0, 0], [2, 2, 2, 1]);
const pattern = (): tf.Tensor4D => tf.tensor4d([1, 0.5, 0.2, 0.8, 1, 1, 1, 1], [2, 2, 2, 1]);
/** A "model" whose logits are [sum of pixels, 0]: easy cross-entropies by hand. */
const logitsOf = (x: tf.Tensor4D): tf.Tensor2D => {
  const s = tf.sum(tf.reshape(x, [x.shape[0], -1]), 1, true);
  return tf.concat([s, tf.zerosLike(s)], 1) as tf.Tensor2D;
};

function values(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

function assertClose(actual: number[], expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `[${i}] ${a} != ${expected[i]}`));
}

test('R1 mask: |M|_1 + |M|_2^2 per label', () => {
  // 1.75 + (0.25 + 1 + 0 + 0.0625)
  assertClose(values(tf.tidy(() => maskSize(mask()))), [3.0625, 0]);
});

test('R1 pattern: |(1-M) P|_1 + |(1-M) P|_2^2 per label', () => {
  assertClose(values(tf.tidy(() => visiblePattern(mask(), pattern()))), [0.5, 0, 0.2, 0.6, 1, 1, 1, 1]);
  // label 0: 1.3 + (0.25 + 0.04 + 0.36); label 1: 4 + 4
  assertClose(values(tf.tidy(() => patternSize(mask(), pattern()))), [1.95, 8]);
});

test('R2: squared differences of vertical and horizontal neighbours', () => {
  // M vertical (0 - 0.5)^2 + (0.25 - 1)^2 = 0.8125; horizontal (1 - 0.5)^2 + (0.25 - 0)^2 = 0.3125
  assertClose(values(tf.tidy(() => smoothness(mask()))), [1.125, 0]);
  // (1-M) P vertical 0.09 + 0.36, horizontal 0.25 + 0.16; label 1 is flat
  assertClose(values(tf.tidy(() => smoothness(visiblePattern(mask(), pattern())))), [0.86, 0]);
});

test('R3 blocking: CE of the image with the trigger area blanked, against its true label', () => {
  // x = ones, y = 1. Label 0: (1-M) x sums to 2.25 -> CE = log(1 + e^2.25); label 1: sum 4 -> log(1 + e^4)
  const got = values(
    tf.tidy(() =>
      blockingLoss(logitsOf, mask(), tf.ones([1, 2, 2, 1]) as tf.Tensor4D, tf.tensor1d([1], 'int32')),
    ),
  );
  assertClose(got, [Math.log(1 + Math.exp(2.25)), Math.log(1 + Math.exp(4))]);
});

test('R4 overlaying: CE of the trigger alone, M P, against the target', () => {
  // Label 0: M P sums to 1.2, target 0 -> log(1 + e^-1.2); label 1: M P = 0, target 1 -> log 2
  const got = values(
    tf.tidy(() => overlayingLoss(logitsOf, mask(), pattern(), tf.tensor1d([0, 1], 'int32'))),
  );
  assertClose(got, [Math.log(1 + Math.exp(-1.2)), Math.log(2)]);
});

test('grouped cross-entropy averages within each label group', () => {
  // rows: logits [0, 0] (CE log 2) and [ln 3, 0] target 0 (CE log(4/3)); group 2: target 1 of [0, 0] twice
  const logits = tf.tensor2d([0, 0, Math.log(3), 0, 0, 0, 0, 0], [4, 2]);
  const got = values(tf.tidy(() => groupedCrossEntropy(logits, tf.tensor1d([0, 0, 1, 1], 'int32'), 2)));
  logits.dispose();
  assertClose(got, [(Math.log(2) + Math.log(4 / 3)) / 2, Math.log(2)]);
});

test("TABOR's loss is the weighted sum of the terms, skipping zero weights", () => {
  const weights = {
    maskSize: 1,
    patternSize: 10,
    maskSmoothness: 100,
    patternSmoothness: 1000,
    blocking: 0,
    overlaying: 2,
  };
  const got = values(
    tf.tidy(() =>
      taborLoss(weights)({
        model: {} as Model,
        logitsOf,
        mask: mask(),
        pattern: pattern(),
        x: tf.ones([1, 2, 2, 1]) as tf.Tensor4D,
        trueLabels: tf.tensor1d([1], 'int32'),
        targets: tf.tensor1d([0, 1], 'int32'),
      }),
    ),
  );
  const r4 = [Math.log(1 + Math.exp(-1.2)), Math.log(2)];
  assertClose(got, [3.0625 + 19.5 + 112.5 + 860 + 2 * r4[0], 0 + 80 + 0 + 0 + 2 * r4[1]], 1e-3);
});
