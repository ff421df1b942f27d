import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderSvg, scanRows, timelineSpec } from '../../sim/experiment/plot.ts';
import type { ExperimentResults } from '../../sim/experiment/results.ts';

const band = (mean: number) => ({ mean, std: 0.01 });

/** Two seeds, F0 and F1; F0 scanned by NC in both seeds, TABOR in one, F1 by nothing. */
function results(withScans: boolean): ExperimentResults {
  const scan = (modelIndex: number) => ({ modelIndex, flagged: modelIndex > 2 });
  const model = (index: number, inspections?: Record<string, unknown>) => ({
    index,
    driftStep: index,
    poisoned: index === 0,
    cleanAccuracy: 0.97,
    asr: 0.99,
    train: { steps: 10, loss: 0.1, seconds: 1, samplesPerSecond: 100 },
    ...(inspections && { inspections }),
  });
  const seeds = [0, 1].map((seed) => ({
    seed,
    models: [
      model(0, withScans ? { nc: scan(2.5 + seed), ...(seed === 0 && { tabor: scan(1.5) }) } : undefined),
      model(1),
    ],
  }));
  return {
    format: 1,
    config: { gamma: 0.5 },
    backend: 'cpu',
    seeds,
    summary: {
      models: [0, 1].map((index) => ({
        index,
        cleanAccuracy: band(0.97),
        asr: band(0.99),
        staticAccuracy: band(0.9),
        staticAsr: band(0.99),
      })),
      survivability: band(14),
      stepsPerUpdate: 10,
      ineffectiveSeeds: [],
    },
    wallSeconds: 1,
  } as unknown as ExperimentResults;
}

test('scanRows lists every stored anomaly index by model, seed and scan', () => {
  assert.deepEqual(scanRows(results(true)), [
    { model: 0, seed: 0, scan: 'nc', index: 2.5 },
    { model: 0, seed: 0, scan: 'tabor', index: 1.5 },
    { model: 0, seed: 1, scan: 'nc', index: 3.5 },
  ]);
  assert.deepEqual(scanRows(results(false)), []);
});

test('the plot gains an anomaly-index panel only when the run scanned models', async () => {
  const plain = timelineSpec(results(false), 'plain') as unknown as Record<string, unknown>;
  assert.equal(plain.vconcat, undefined);
  const scanned = timelineSpec(results(true), 'scanned') as unknown as { vconcat?: unknown[] };
  assert.equal(scanned.vconcat?.length, 2);
  const svg = await renderSvg(scanned as never);
  assert.match(svg, /anomaly index/);
  assert.match(svg, /tabor/);
  assert.doesNotMatch(await renderSvg(plain as never), /anomaly index/);
});
