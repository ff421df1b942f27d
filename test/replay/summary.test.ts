import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultCampaign, summarise, type ReplayRow } from '../../sim/replay/summary.ts';

function row(version: number, poisoned: string[], rec: [number, number], cf: [number, number]): ReplayRow {
  return {
    version,
    step: version - 1,
    parentVersion: version - 1,
    poisoned,
    recorded: { schedule: 'sgd:0.01', status: 'candidate', cleanAccuracy: rec[0], asr: { c1: rec[1] } },
    counterfactual: { schedule: 'stlr:0.5:0.1', cleanAccuracy: cf[0], asr: { c1: cf[1] }, diverged: false },
    scan: null,
  };
}

test('survivability, first version below gamma, ASR area and accuracy cost, by hand', () => {
  // v5 is poisoned; recorded ASR after it: 0.9, 0.8, 0.4; counterfactual: 0.6, 0.2, 0.1.
  const rows = [
    row(5, ['c1'], [0.9, 1], [0.9, 1]),
    row(6, [], [0.9, 0.9], [0.8, 0.6]),
    row(7, [], [0.8, 0.8], [0.8, 0.2]),
    row(8, [], [0.8, 0.4], [0.7, 0.1]),
  ];
  const s = summarise(rows, 'c1', 0.5);
  assert.equal(s.lastPoisonedVersion, 5);
  assert.equal(s.recorded.survivability, 2);
  assert.equal(s.recorded.versionsUntilRemoval, 3);
  assert.equal(s.recorded.removedAt, 8);
  assert.equal(s.counterfactual.survivability, 1);
  assert.equal(s.counterfactual.versionsUntilRemoval, 2);
  assert.equal(s.counterfactual.removedAt, 7);
  // Trapezoids over 1, 0.6, 0.2, 0.1: 0.8 + 0.4 + 0.15; recorded 1, 0.9, 0.8, 0.4: 0.95 + 0.85 + 0.6.
  assert.ok(Math.abs(s.counterfactual.asrArea - 1.35) < 1e-12);
  assert.ok(Math.abs(s.recorded.asrArea - 2.4) < 1e-12);
  assert.ok(Math.abs((s.recorded.meanAccuracy ?? 0) - 0.85) < 1e-12);
  assert.ok(Math.abs((s.counterfactual.minAccuracy ?? 0) - 0.7) < 1e-12);
  assert.ok(Math.abs((s.accuracyCost ?? 0) - 0.05) < 1e-12);
});

test('a backdoor that never falls to gamma has no removal version; the default campaign is the last poisoning one', () => {
  const rows = [row(2, ['c1'], [0.9, 1], [0.9, 1]), row(3, [], [0.9, 0.9], [0.9, 0.7])];
  const s = summarise(rows, 'c1');
  assert.equal(s.counterfactual.versionsUntilRemoval, null);
  assert.equal(s.counterfactual.survivability, 1);
  assert.equal(defaultCampaign(rows), 'c1');
  assert.equal(defaultCampaign([row(3, [], [0.9, 0.9], [0.9, 0.7])]), 'c1');
});
