import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  INITIAL_POLICY_STATE,
  afterScan,
  afterUpdate,
  describePolicy,
  parseReplayPolicy,
  scheduleFor,
  type PolicyState,
  type ReplayPolicy,
} from '../../sim/replay/policy.ts';

test('policies parse to their kinds and read back from their description', () => {
  const cases: [string, ReplayPolicy][] = [
    ['recorded', { kind: 'recorded' }],
    ['sgd:0.01', { kind: 'schedule', schedule: 'sgd:0.01', fromVersion: null }],
    ['STLR:0.5', { kind: 'schedule', schedule: 'stlr:0.5:0.1', fromVersion: null }],
    ['stlr:0.5@v7', { kind: 'schedule', schedule: 'stlr:0.5:0.1', fromVersion: 7 }],
    ['periodic:stlr:0.5:every=3', { kind: 'periodic', schedule: 'stlr:0.5:0.1', every: 3 }],
    ['scan-stlr', { kind: 'scan-stlr', schedule: 'stlr:0.5:0.1', updates: 2, every: 1 }],
    [
      'scan-stlr:stlr:0.3:updates=1:every=2',
      { kind: 'scan-stlr', schedule: 'stlr:0.3:0.1', updates: 1, every: 2 },
    ],
  ];
  for (const [text, policy] of cases) {
    assert.deepEqual(parseReplayPolicy(text), policy, text);
    assert.deepEqual(parseReplayPolicy(describePolicy(policy)), policy, text);
  }
});

test('unknown or malformed policies are refused with a message', () => {
  for (const bad of [
    'adam:0.1',
    'stlr:x',
    'stlr:0.5@v0',
    'periodic:stlr:0.5',
    'periodic:stlr:0.5:every=0',
    'scan-stlr:often=2',
    '',
  ])
    assert.throws(() => parseReplayPolicy(bad), /policy/, bad);
});

test('schedule per update: switch at a version, periodic on the drift step, recorded otherwise', () => {
  const u = (version: number, step: number) => ({ version, step, schedule: 'sgd:0.01' });
  const s = INITIAL_POLICY_STATE;
  const sw = parseReplayPolicy('stlr:0.5@v7');
  assert.deepEqual(
    [6, 7, 8].map((v) => scheduleFor(sw, u(v, v - 1), s)),
    ['sgd:0.01', 'stlr:0.5:0.1', 'stlr:0.5:0.1'],
  );
  const periodic = parseReplayPolicy('periodic:stlr:0.5:every=3');
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((step) => scheduleFor(periodic, u(step + 1, step), s)),
    ['sgd:0.01', 'sgd:0.01', 'stlr:0.5:0.1', 'sgd:0.01', 'sgd:0.01', 'stlr:0.5:0.1'],
  );
  assert.equal(scheduleFor(parseReplayPolicy('recorded'), u(3, 2), s), 'sgd:0.01');
});

test('scan-stlr: scans on its cadence, a flag forces the next `updates` promoted updates', () => {
  const p = parseReplayPolicy('scan-stlr:updates=2:every=2');
  let state: PolicyState = INITIAL_POLICY_STATE;
  const scans: boolean[] = [];
  const schedules: string[] = [];
  // Five updates; the scan after the second one flags the model.
  for (let i = 0; i < 5; i++) {
    schedules.push(scheduleFor(p, { version: i + 2, step: i + 1, schedule: 'sgd:0.01' }, state));
    const next = afterUpdate(p, state, true);
    state = next.state;
    scans.push(next.scan);
    if (next.scan) state = afterScan(p, state, i === 1);
  }
  assert.deepEqual(scans, [false, true, false, true, false]);
  assert.deepEqual(schedules, ['sgd:0.01', 'sgd:0.01', 'stlr:0.5:0.1', 'stlr:0.5:0.1', 'sgd:0.01']);
  // A diverged update neither counts towards the cadence nor uses up a forced update.
  assert.deepEqual(afterUpdate(p, { remaining: 1, promoted: 1 }, false), {
    state: { remaining: 1, promoted: 1 },
    scan: false,
  });
});
