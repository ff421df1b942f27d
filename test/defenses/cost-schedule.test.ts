import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialCostState, stepCost, type CostScheduleOptions } from '../../sim/defenses/cost-schedule.ts';

const options: CostScheduleOptions = {
  initCost: 1e-3,
  patience: 2,
  multiplierUp: 1.5,
  multiplierDown: 1.5 ** 1.5,
  earlyStopPatience: 4,
  earlyStopThreshold: 0.99,
};

test('the cost starts at 0 and is set to initCost after `patience` epochs at the threshold', () => {
  let s = initialCostState();
  s = stepCost(s, true, 10, options);
  assert.equal(s.cost, 0);
  s = stepCost(s, true, 10, options);
  assert.equal(s.cost, 1e-3);
});

test('the cost rises x1.5 while the threshold is met and falls /1.5^1.5 while it is not', () => {
  let s = { ...initialCostState(), cost: 1e-3 };
  s = stepCost(s, true, 10, options);
  s = stepCost(s, true, 10, options);
  assert.ok(Math.abs(s.cost - 1.5e-3) < 1e-15);
  assert.equal(s.movedUp, true);
  s = stepCost(s, false, 10, options);
  s = stepCost(s, false, 10, options);
  assert.ok(Math.abs(s.cost - 1.5e-3 / 1.5 ** 1.5) < 1e-15);
  assert.equal(s.movedDown, true);
});

test('early stop needs both moves and `earlyStopPatience` epochs without a 1% better norm', () => {
  let s = { ...initialCostState(), cost: 1e-3, movedUp: true, movedDown: true };
  s = stepCost(s, true, 10, options); // first finite best: counter stays 0
  for (let i = 0; i < 3; i++) s = stepCost(s, true, 9.95, options); // < 1% better: no improvement
  assert.equal(s.stop, false);
  s = stepCost(s, true, 9.95, options);
  assert.equal(s.stop, true);
});

test('an improvement resets the early-stop counter; without a found trigger it never counts', () => {
  let s = { ...initialCostState(), cost: 1e-3, movedUp: true, movedDown: true };
  for (let i = 0; i < 10; i++) s = stepCost(s, false, Number.POSITIVE_INFINITY, options);
  assert.equal(s.earlyStopCounter, 0);
  assert.equal(s.stop, false);
  s = stepCost(s, true, 10, options);
  s = stepCost(s, true, 10, options);
  assert.equal(s.earlyStopCounter, 1);
  s = stepCost(s, true, 5, options);
  assert.equal(s.earlyStopCounter, 0);
});
