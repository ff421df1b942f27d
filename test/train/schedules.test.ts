import assert from 'node:assert/strict';
import { test } from 'node:test';
import { learningRate, parseSchedule, scheduleLabel, stlr } from '../../sim/train/schedules.ts';

test('STLR rises linearly to max over the cut share, then falls to 0 at the last step', () => {
  // 20 steps, cut 0.1: peak after 2 steps; then (20 - t) / 18 of max for t = 3..20.
  const lrs = Array.from({ length: 20 }, (_, s) => stlr(0.5, 0.1, s, 20));
  assert.equal(lrs[0], 0.25);
  assert.equal(lrs[1], 0.5);
  assert.ok(Math.abs(lrs[2] - (0.5 * 17) / 18) < 1e-12);
  assert.ok(Math.abs(lrs[10] - (0.5 * 9) / 18) < 1e-12);
  assert.equal(lrs[19], 0);
  for (let i = 2; i < 20; i++) assert.ok(lrs[i] < lrs[i - 1], `falls at step ${i}`);
});

test('a constant schedule ignores the step', () => {
  assert.equal(learningRate({ kind: 'constant', lr: 0.01 }, 7, 100), 0.01);
});

test('parseSchedule reads sgd and stlr specs and rejects bad ones', () => {
  assert.deepEqual(parseSchedule('sgd:0.01'), { kind: 'constant', lr: 0.01 });
  assert.deepEqual(parseSchedule('stlr:0.5'), { kind: 'stlr', maxLr: 0.5, cut: 0.1 });
  assert.deepEqual(parseSchedule('stlr:0.5:0.2'), { kind: 'stlr', maxLr: 0.5, cut: 0.2 });
  assert.throws(() => parseSchedule('adam:0.1'), /unknown schedule/);
  assert.throws(() => parseSchedule('sgd:abc'), /must be a number/);
  assert.throws(() => parseSchedule('sgd:-1'), /schedule/);
  assert.throws(() => parseSchedule('stlr:0.5:1.5'), /schedule/);
});

test('parseSchedule reads numbers whole: no trailing text, extra fields, hex or blanks', () => {
  assert.deepEqual(parseSchedule('sgd:1e-2'), { kind: 'constant', lr: 0.01 });
  assert.deepEqual(parseSchedule('sgd:.5'), { kind: 'constant', lr: 0.5 });
  for (const bad of [
    'sgd:0.03:junk',
    'sgd:0.03x',
    'sgd:0x10',
    'sgd: 0.1',
    'sgd:',
    'stlr:0.5:0.2:9',
    'stlr:0.5:',
  ])
    assert.throws(() => parseSchedule(bad), /schedule/, bad);
});

test('scheduleLabel names the update in plot titles and defense tables', () => {
  assert.equal(scheduleLabel(parseSchedule('sgd:0.01')), 'SGD 0.01');
  assert.equal(scheduleLabel(parseSchedule('stlr:0.5:0.2')), 'STLR 0.5');
});
