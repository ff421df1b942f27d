import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplayResult } from '../../sim/replay/engine.ts';
import { policyTable, replayCsv, replayFigureSpec, replayReferences } from '../../sim/replay/output.ts';
import { renderSvg } from '../../sim/experiment/plot.ts';
import { summarise, type ReplayRow } from '../../sim/replay/summary.ts';

const row = (version: number, poisoned: string[], rec: number, cf: number): ReplayRow => ({
  version,
  step: version - 1,
  parentVersion: version - 1,
  poisoned,
  recorded: { schedule: 'sgd:0.01', status: 'candidate', cleanAccuracy: 0.9, asr: { c1: rec } },
  counterfactual: { schedule: 'stlr:0.5:0.1', cleanAccuracy: 0.88, asr: { c1: cf }, diverged: false },
  scan: null,
});
const rows = [row(4, ['c1'], 1, 1), row(5, [], 0.9, 0.3), row(6, [], 0.6, 0.1)];
const result = {
  name: 'live-mnist',
  from: 4,
  to: 6,
  policy: 'stlr:0.5:0.1@v5',
  backend: 'wasm',
  sameBackend: true,
  references: [3, 4, 5, 6],
  rows,
  summary: summarise(rows, 'c1'),
  seconds: 1,
} satisfies ReplayResult;

test('the policy table: the recorded line, then one per policy, in the units the docs give', () => {
  const lines = policyTable([result]).split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[2], '| recorded | not removed | - | 2 | 1.70 | 90.0% | 90.0% | 0.0 pt |');
  assert.equal(lines[3], '| stlr:0.5:0.1@v5 | 1 | v5 | 0 | 0.85 | 88.0% | 88.0% | 2.0 pt |');
});

test('the CSV has a row per version with the campaign ASR; the figure names every series', async () => {
  const csv = replayCsv([result]).trim().split('\n');
  assert.equal(csv.length, 4);
  assert.equal(csv[2], 'stlr:0.5:0.1@v5,5,4,,sgd:0.01,stlr:0.5:0.1,0.9,0.88,0.9,0.3,false,,');
  const svg = await renderSvg(replayFigureSpec([result], 'title'));
  for (const label of ['recorded', 'stlr:0.5:0.1@v5', 'ASR', 'clean accuracy'])
    assert.ok(svg.includes(`>${label}<`), label);
});

test('replayReferences lists the versions a stored replay read, per model', () => {
  const stored = JSON.parse(
    JSON.stringify({ format: 1, results: [result, { ...result, references: [2, 6] }] }),
  );
  assert.deepEqual(replayReferences(stored), new Map([['live-mnist', [2, 3, 4, 5, 6]]]));
  assert.throws(() => replayReferences({ format: 1, results: [{ name: 'm' }] }));
});
