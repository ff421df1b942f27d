import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../sim/train/register-gradients.ts';
import { budgetTag } from '../../sim/cli/commands/defense-table.ts';
import { DEFAULT_SCAN_OPTIONS } from '../../sim/defenses/index.ts';
import { upsampleMask } from '../../sim/defenses/reverse-engineer.ts';

await tf.setBackend('cpu');

test('upsampleMask repeats each parameter over a u x u block and crops odd sizes', () => {
  // One label, 2x2 parameters -> 3x3 pixels at u = 2 (the last row and column cropped).
  const coarse = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const full = upsampleMask(coarse, 2, 3, 3);
  assert.deepEqual(full.shape, [1, 3, 3, 1]);
  assert.deepEqual(Array.from(full.dataSync()), [1, 1, 2, 1, 1, 2, 3, 3, 4]);
  assert.equal(upsampleMask(coarse, 1, 2, 2), coarse, 'u = 1 is the identity');
});

test("the L1 gradient of a parameter counts the pixels of its block (NC's upsampled norm)", () => {
  const coarse = tf.tensor4d([0.5, 0.5, 0.5, 0.5, 0.1, 0.2, 0.3, 0.4], [2, 2, 2, 1]);
  const grad = tf.grad((m: tf.Tensor) => tf.sum(upsampleMask(m as tf.Tensor4D, 2, 3, 3)))(coarse);
  // Blocks cover 4, 2, 2 and 1 pixels of the 3x3 image, in both labels.
  assert.deepEqual(Array.from(grad.dataSync()), [4, 2, 2, 1, 4, 2, 2, 1]);
});

test('budgetTag is empty at the default budget and names the fields that differ', () => {
  assert.equal(budgetTag({ ...DEFAULT_SCAN_OPTIONS }), '');
  assert.equal(budgetTag({}), '');
  assert.equal(
    budgetTag({ samples: 300, maskUpsample: 2, cost: { ...DEFAULT_SCAN_OPTIONS.cost, initCost: 0.001 } }),
    '-samples300-cost0.001-block2',
  );
});
