import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregate } from '../../sim/experiment/results.ts';
import type { SeedResult } from '../../sim/experiment/runner.ts';
import { defenseTablesMarkdown, type ScanRecord } from '../../sim/report/defense-tables.ts';
import { figureData, FIGURES } from '../../sim/report/figures.ts';
import type { ExperimentData } from '../../sim/report/load.ts';
import { planSweep } from '../../sim/sweep/plan.ts';
import { parseSweepSpec } from '../../sim/sweep/spec.ts';
import type { JobResult } from '../../sim/sweep/store.ts';

/** Experiments of a planned sweep with made-up survivability per seed (no training). */
function fakeExperiments(
  grids: unknown[],
  survivability: (config: ExperimentData['config'], seed: number) => number,
): ExperimentData[] {
  const plan = planSweep(parseSweepSpec({ name: 'fig', base: { updates: 4 }, seeds: [0, 1], grids }));
  return plan.experiments.map((e) => {
    const jobs: JobResult[] = e.config.seeds.map((seed) => {
      const result = {
        seed,
        models: Array.from({ length: 5 }, (_, index) => ({ index, cleanAccuracy: 0.9, asr: 0.5 })),
        static: [],
        survivability: survivability(e.config, seed),
        injectionEffective: true,
        injectedAsr: 1,
      } as unknown as SeedResult;
      const run = { worker: 'w', attempt: 1, backend: 'cpu', startedAt: '', finishedAt: '', seconds: 1 };
      return { format: 1, id: `${e.id}-s${seed}`, experimentId: e.id, seed, config: e.config, result, run };
    });
    const results = aggregate(
      e.config,
      jobs.map((j) => j.result),
      'cpu',
      1,
    );
    return { id: e.id, config: e.config, grids: e.grids, jobs, results };
  });
}

const figure = (key: string) => FIGURES.find((f) => f.key === key) as (typeof FIGURES)[number];

test('survivability vs poison ratio: one line per attack, one panel per injection, mean and std over seeds', () => {
  const experiments = fakeExperiments(
    [
      {
        name: 'r',
        axes: { attack: ['badnets', 'blend'], injection: ['d0', 'd1'], poisonRatio: [0.05, 0.1, 0.2] },
      },
    ],
    (c, seed) => c.poisonRatio * 10 + seed + (c.injection.mode === 'd0' ? 1 : 0),
  );
  const data = figureData(figure('poison-ratio'), experiments);
  assert.ok(data);
  assert.equal(data.points.length, 12);
  assert.deepEqual([...new Set(data.points.map((p) => p.panel))].sort(), [
    'inject D0 · SGD lr 0.01',
    'inject D1 · SGD lr 0.01',
  ]);
  assert.deepEqual([...new Set(data.points.map((p) => p.line))].sort(), [
    'badnets size=3',
    'blend alpha=0.2',
  ]);
  const p = data.points.find(
    (q) => q.panel.startsWith('inject D0') && q.line.startsWith('blend') && q.x === 0.2,
  );
  // Seeds 0 and 1: 3 and 4.
  assert.deepEqual([p?.mean, p?.std, p?.seeds], [3.5, Math.SQRT1_2, 2]);
  assert.equal(data.yMax, 4);
});

test('a figure needs a line with two knob values; other figures stay empty', () => {
  const experiments = fakeExperiments(
    [{ name: 'v', axes: { attack: ['badnets:size=2', 'badnets:size=4', 'blend'] } }],
    () => 1,
  );
  const vis = figureData(figure('visibility'), experiments);
  assert.ok(vis);
  // Blend has a single alpha: no line. BadNets has two sizes: one line in its own panel.
  assert.deepEqual(
    vis.points.map((p) => [p.panel, p.x]),
    [
      ['badnets · SGD lr 0.01', 2],
      ['badnets · SGD lr 0.01', 4],
    ],
  );
  assert.equal(figureData(figure('poison-ratio'), experiments), null);
  assert.equal(figureData(figure('learning-rate'), experiments), null);
});

test('persistent poisoning puts D1 at one poisoned update and ignores D0', () => {
  const experiments = fakeExperiments(
    [{ name: 'p', axes: { injection: ['d0', 'd1', 'persistent:2', 'persistent:3'] } }],
    (c) => (c.injection.mode === 'persistent' ? c.injection.updates : 0),
  );
  const data = figureData(figure('persistent'), experiments);
  assert.deepEqual(
    data?.points.map((p) => [p.x, p.mean]),
    [
      [1, 0],
      [2, 2],
      [3, 3],
    ],
  );
});

test('defense tables: mean anomaly index per attack and defense, flagged counts, F1 after D0 in Table 4', () => {
  const scan = (
    attack: string,
    defense: 'nc' | 'tabor',
    model: number,
    index: number,
    threshold = 0.99,
  ): ScanRecord => ({
    attack,
    defense,
    model,
    threshold,
    modelIndex: index,
    flagged: index > 2,
    afterPoison: attack === 'clean' ? null : model,
  });
  const md = defenseTablesMarkdown([
    scan('clean', 'nc', 0, 1.5),
    scan('badnets', 'nc', 0, 3),
    scan('badnets', 'nc', 0, 4),
    scan('badnets', 'nc', 1, 1),
    scan('badnets', 'tabor', 0, 2.5, 0.5),
  ]);
  assert.match(md, /\| clean \| 1\.50 ± 0\.00 \(0\/1 flagged\) \| - \|/);
  assert.match(md, /\| badnets \| 3\.50 ± 0\.71 \(2\/2 flagged\) \| - \|/);
  assert.match(
    md,
    /Table 4[^|]+\n\n\| model \| Neural Cleanse \| TABOR \|\n\| --- \| --- \| --- \|\n\| badnets \| 1\.00 ± 0\.00 \(0\/1 flagged\) \| - \|/,
  );
  assert.match(md, /TABOR 50%/);
  assert.match(defenseTablesMarkdown([]), /No defense scans/);
});
