import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anomalyIndex, median } from '../../sim/defenses/anomaly.ts';

const close = (actual: number, expected: number, tol = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected}`);

test('median follows numpy: middle value for odd n, mean of the two middle values for even n', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.throws(() => median([]));
});

test('anomaly index of an odd-length norm vector, by hand', () => {
  // median 10; |L - 10| = [8, 1, 0, 1, 2]; median deviation 1; MAD = 1.4826.
  const r = anomalyIndex([2, 9, 10, 11, 12]);
  close(r.median, 10);
  close(r.mad, 1.4826);
  assert.equal(r.scaleKind, 'mad');
  close(r.indices[0], 8 / 1.4826);
  close(r.indices[4], 2 / 1.4826);
  assert.deepEqual(r.flaggedLabels, [0]);
  assert.equal(r.suspect, 0);
  close(r.modelIndex, 8 / 1.4826);
  assert.equal(r.flagged, true);
});

test('anomaly index with ten labels (even n): the median is the mean of the middle pair', () => {
  // sorted: 9 40 42 50 54 58 60 61 66 68 -> median (54 + 58) / 2 = 56.
  const norms = [9, 68, 40, 42, 66, 54, 60, 58, 61, 50];
  const r = anomalyIndex(norms);
  close(r.median, 56);
  // |L - 56| = 47 12 16 14 10 2 4 2 5 6 -> sorted 2 2 4 5 6 10 12 14 16 47 -> median (6 + 10) / 2 = 8.
  close(r.mad, 1.4826 * 8);
  close(r.indices[0], 47 / (1.4826 * 8));
  close(r.indices[2], 16 / (1.4826 * 8));
  assert.deepEqual(r.flaggedLabels, [0]);
  assert.equal(r.flagged, true);
});

test('a large norm above the median is never flagged (one-sided test)', () => {
  // median 10.5; deviations 0.5 0.5 1 0 89.5 -> MAD 1.4826 * 0.5; label 2: 1 / 0.7413 = 1.35.
  const r = anomalyIndex([10, 11, 9.5, 10.5, 100]);
  close(r.indices[4], 89.5 / (1.4826 * 0.5));
  close(r.indices[2], 1 / (1.4826 * 0.5));
  assert.deepEqual(r.flaggedLabels, []);
  assert.equal(r.suspect, 2);
  assert.equal(r.flagged, false);
});

test('a clean-looking vector is not flagged', () => {
  const r = anomalyIndex([50, 52, 48, 51, 49, 53, 47]);
  assert.equal(r.flagged, false);
  assert.deepEqual(r.flaggedLabels, []);
  assert.ok(r.modelIndex < 2);
});

test('MAD = 0 falls back to the scaled mean absolute deviation, finite and flagged', () => {
  // median 5; deviations 4 0 0 0 0 -> MAD 0; mean deviation 0.8 -> scale 1.253314 * 0.8.
  const r = anomalyIndex([1, 5, 5, 5, 5]);
  assert.equal(r.mad, 0);
  assert.equal(r.scaleKind, 'mean-absolute-deviation');
  close(r.scale, 1.253314 * 0.8);
  close(r.indices[0], 4 / (1.253314 * 0.8));
  assert.equal(r.indices[1], 0);
  assert.deepEqual(r.flaggedLabels, [0]);
  assert.equal(r.flagged, true);
});

test('all norms equal: every index is 0, nothing flagged, no NaN', () => {
  const r = anomalyIndex([3, 3, 3, 3]);
  assert.equal(r.scaleKind, 'none');
  assert.deepEqual(r.indices, [0, 0, 0, 0]);
  assert.equal(r.flagged, false);
  assert.ok(r.indices.every(Number.isFinite));
});

test('ties for the smallest norm pick the lowest label; non-finite norms are rejected', () => {
  assert.equal(anomalyIndex([4, 1, 1, 9, 9]).suspect, 1);
  assert.throws(() => anomalyIndex([1, Number.NaN, 3]), /non-finite/);
  assert.throws(() => anomalyIndex([]));
});

test('the index ceiling: the index a zero-norm trigger on the suspect label would get', () => {
  // Suspect 9 -> 0: sorted 0 40 42 50 54 58 60 61 66 68, median 56; deviations sorted
  // 2 2 4 5 6 10 12 14 16 56 -> median 8; ceiling 56 / (1.4826 * 8).
  close(anomalyIndex([9, 68, 40, 42, 66, 54, 60, 58, 61, 50]).indexCeiling, 56 / (1.4826 * 8));
});

test('bimodal norms (an MNIST Blend seed) cap the index below 2 even for a perfect trigger', () => {
  // Norms of a Blend (alpha 0.05) F0, seed 1. With 10: median (48 + 78) / 2 = 63, deviations
  // sorted 15 15 20 21 22 23 24 42 53 152 -> MAD 1.4826 * 22.5; index 53 / 33.36 = 1.59.
  // With 0 instead of 10 the deviation 53 becomes 63, the MAD stays: ceiling 63 / 33.36 = 1.89.
  const r = anomalyIndex([10, 105, 40, 39, 85, 48, 215, 78, 42, 83]);
  close(r.modelIndex, 53 / (1.4826 * 22.5));
  close(r.indexCeiling, 63 / (1.4826 * 22.5));
  assert.equal(r.flagged, false);
  assert.ok(r.indexCeiling < 2);
});
