import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argMaxRows, matchRate } from '../../sim/metrics/evaluate.ts';

describe('argMaxRows', () => {
  it('picks the largest column of each row, the first one on ties (as tf.argMax)', () => {
    const values = Float32Array.from([0.1, 0.7, 0.2, -3, -1, -2, 5, 5, 1]);
    const out = new Int32Array(3);
    argMaxRows(values, 3, out);
    assert.deepEqual([...out], [1, 1, 0]);
  });
});

describe('matchRate', () => {
  it('is the share of equal positions', () => {
    assert.equal(matchRate([1, 2, 3, 4], [1, 0, 3, 0]), 0.5);
  });
});
