import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatBand,
  mean,
  meanAbsDifference,
  meanStd,
  median,
  sampleStd,
} from '../../sim/metrics/statistics.ts';

test('meanStd is the mean and the sample standard deviation (n - 1)', () => {
  // [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, / 3.
  const { mean: m, std } = meanStd([1, 2, 3, 4]);
  assert.equal(m, 2.5);
  assert.ok(Math.abs(std - Math.sqrt(5 / 3)) < 1e-12);
  // Survivability over three seeds [6, 5, 3]: mean 14/3, deviations 4/3, 1/3, -5/3 -> 42/9 / 2.
  assert.ok(Math.abs(sampleStd([6, 5, 3]) - Math.sqrt(7 / 3)) < 1e-12);
});

test('one value has std 0 and no value gives NaN', () => {
  assert.deepEqual(meanStd([7]), { mean: 7, std: 0 });
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Number.isNaN(sampleStd([])));
});

test('formatBand prints mean ± sample std', () => {
  // [1, 3]: mean 2, sample std sqrt(2) = 1.414 (the population std would be 1).
  assert.equal(formatBand([1, 3]), '2.00 ± 1.41');
});

test('meanAbsDifference pairs the values', () => {
  assert.ok(Math.abs(meanAbsDifference([0.9, 0.5, 0.1], [0.8, 0.7, 0.1]) - 0.1) < 1e-12);
  assert.throws(() => meanAbsDifference([1], [1, 2]), /1 vs 2/);
});

test('median takes the middle value, or the mean of the two middle ones', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
