import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExperimentConfig } from '../../sim/experiment/config.ts';
import { aggregate } from '../../sim/experiment/results.ts';
import type { SeedResult } from '../../sim/experiment/runner.ts';
import type { ExperimentData } from '../../sim/report/load.ts';
import { interpolationRows, interpolationTable, staticSurvivability } from '../../sim/report/sensitivity.ts';

/** A seed with the given per-model ASR (F0 first) and static-F0 ASR per drift step. */
function seedResult(seed: number, asr: number[], staticAsr: number[], surv: number): SeedResult {
  return {
    seed,
    models: asr.map((a, index) => ({ index, driftStep: index, cleanAccuracy: 0.9 + index / 1000, asr: a })),
    static: staticAsr.map((a, driftStep) => ({ driftStep, cleanAccuracy: 0.9, asr: a })),
    survivability: surv,
  } as unknown as SeedResult;
}

test('static survivability counts the updates the unchanged F0 keeps its trigger above gamma', () => {
  const config = parseExperimentConfig({ updates: 5, seeds: [0] });
  // Steps 1..5: 0.9, 0.8, 0.4 -> two steps above 0.5.
  assert.equal(
    staticSurvivability(config, seedResult(0, [1, 1, 1, 1, 1, 1], [1, 0.9, 0.8, 0.4, 0.9, 0.9], 5)),
    2,
  );
  // Not defined when the poison went into D1 (F0 never saw it) or without a static baseline.
  assert.equal(
    staticSurvivability(parseExperimentConfig({ injection: { mode: 'd1' } }), seedResult(0, [], [1, 1], 0)),
    null,
  );
  assert.equal(staticSurvivability(config, seedResult(0, [1], [], 0)), null);
});

test('interpolation rows pair cells that differ only in the rotation resampling', () => {
  const make = (drift: string, seeds: SeedResult[]): ExperimentData => {
    const config = parseExperimentConfig({ drift, updates: 14, seeds: seeds.map((s) => s.seed) });
    return { id: drift, config, grids: [], jobs: [], results: aggregate(config, seeds, 'cpu', 1) };
  };
  const asr = (start: number) => Array.from({ length: 15 }, (_, i) => Math.max(0, start - i * 0.1));
  const nearest = make('rotate:4', [seedResult(0, asr(1), asr(1), 5), seedResult(1, asr(1), asr(0.9), 4)]);
  const bilinear = make('rotate:4:bilinear', [seedResult(0, asr(1.5), asr(1.5), 10)]);
  const other = make('rotate:8', [seedResult(0, asr(1), asr(1), 3)]); // no partner: left out
  const rows = interpolationRows([nearest, bilinear, other]);
  assert.deepEqual(
    rows.map((r) => [r.interpolation, r.survivability, r.staticSurvivability]),
    [
      // static F0 steps 1..: 1.4, 1.3, ... 0.6 above 0.5 -> 9; 0.9 ... 0.6 -> 4; 0.8 ... 0.6 -> 3
      ['bilinear', [10], [9]],
      ['nearest', [5, 4], [4, 3]],
    ],
  );
  // F5 of the nearest cell: mean of 1 - 0.5 = 0.5 over both seeds; F14 clipped at 0.
  assert.ok(Math.abs((rows[1].asrAt[5] ?? -1) - 0.5) < 1e-9);
  assert.equal(rows[1].asrAt[14], 0);
  const table = interpolationTable(rows);
  assert.match(
    table,
    /\| badnets, d0, sgd:0.01 \| nearest \| 2 \| 4.5 ± 0.7 \(5, 4\) \| 4, 3 \| 50.0 \/ 0.0 \/ 0.0 \|/,
  );
});
