import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asrArea, firstBelow, survivability } from '../../sim/metrics/survivability.ts';

test('survivability counts the leading updates with ASR above gamma', () => {
  assert.equal(survivability([0.9, 0.8, 0.6, 0.4, 0.9]), 3);
  assert.equal(survivability([0.5, 0.9]), 0, 'exactly gamma is not above it');
  assert.equal(survivability([]), 0);
  assert.equal(survivability([0.95, 0.7], 0.75), 1);
});

test('survivability is capped at the horizon (14 in the paper)', () => {
  assert.equal(survivability(new Array(15).fill(1)), 14);
  assert.equal(survivability(new Array(15).fill(1), 0.5, 5), 5);
});

test('firstBelow is 1-based and null when ASR never drops', () => {
  assert.equal(firstBelow([0.9, 0.8, 0.3]), 3);
  assert.equal(firstBelow([0.2]), 1);
  assert.equal(firstBelow([0.9, 0.9]), null);
});

test('asrArea integrates by trapezoids', () => {
  // (1 + 0.5)/2 + (0.5 + 0)/2 = 1.0
  assert.equal(asrArea([1, 0.5, 0]), 1);
  assert.equal(asrArea([0.7]), 0);
});
