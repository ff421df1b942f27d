import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { SgdMomentum } from '../../sim/train/sgd.ts';

before(async () => {
  await tf.setBackend('cpu');
});

test('SGD momentum with coupled weight decay follows PyTorch semantics', () => {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const params = new Map([['w', w]]);
  const sgd = new SgdMomentum({ momentum: 0.9, weightDecay: 0.1 });
  // step 1: g' = g + 0.1 w = [0.5+0.1, 0.5-0.2] = [0.6, 0.3]; v = g'; w = w - 0.1 v = [0.94, -2.03]
  sgd.step(params, { [w.name]: tf.tensor1d([0.5, 0.5]) }, 0.1);
  const after1 = Array.from(w.dataSync());
  assert.ok(Math.abs(after1[0] - 0.94) < 1e-6 && Math.abs(after1[1] + 2.03) < 1e-6, `${after1}`);
  // step 2 with g = 0: g' = 0.1 w = [0.094, -0.203]; v = 0.9 [0.6, 0.3] + g' = [0.634, 0.067]
  // w = [0.94 - 0.0634, -2.03 - 0.0067]
  sgd.step(params, { [w.name]: tf.tensor1d([0, 0]) }, 0.1);
  const after2 = Array.from(w.dataSync());
  assert.ok(Math.abs(after2[0] - 0.8766) < 1e-6, `${after2}`);
  assert.ok(Math.abs(after2[1] + 2.0367) < 1e-6, `${after2}`);
  sgd.dispose();
  w.dispose();
});
