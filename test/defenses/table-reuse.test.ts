import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanFromResults } from '../../sim/cli/commands/defense-table-scan.ts';
import { DEFAULT_SCAN_OPTIONS } from '../../sim/defenses/index.ts';
import type { ExperimentResults } from '../../sim/experiment/results.ts';

const d = DEFAULT_SCAN_OPTIONS;
const summary = (threshold: number, samples = d.samples) => ({
  defense: 'nc',
  threshold,
  modelIndex: 2.4,
  flagged: true,
  seconds: 50,
  anomaly: { suspect: 0, median: 50.3 },
  labels: [{ label: 0, norm: 9.2 }],
  budget: {
    samples,
    batchSize: d.batchSize,
    maxEpochs: d.maxEpochs,
    steps: 150,
    maskUpsample: d.maskUpsample,
  },
});

const results = (inspections: Record<string, unknown>) =>
  ({
    seeds: [{ seed: 1, models: [{ index: 0 }, { index: 1, inspections }] }],
  }) as unknown as ExperimentResults;

test('defense-table reuses the scan run --scan stored for the same seed, model, defense and threshold', () => {
  const r = results({ nc: summary(0.99), 'tabor@0.5': summary(0.5) });
  assert.equal(scanFromResults(r, 1, 1, 'nc', 0.99)?.modelIndex, 2.4);
  assert.equal(scanFromResults(r, 1, 1, 'tabor@0.5', 0.5)?.anomaly.median, 50.3);
  assert.equal(scanFromResults(r, 1, 1, 'tabor', 0.99), null); // not scanned
  assert.equal(scanFromResults(r, 0, 1, 'nc', 0.99), null); // other seed
  assert.equal(scanFromResults(r, 1, 0, 'nc', 0.99), null); // other model
  assert.equal(scanFromResults(null, 1, 1, 'nc', 0.99), null); // no results.json
});

test('a stored scan at another threshold or budget, or missing a field, is scanned again', () => {
  assert.equal(scanFromResults(results({ nc: summary(0.75) }), 1, 1, 'nc', 0.99), null);
  assert.equal(scanFromResults(results({ nc: summary(0.99, 300) }), 1, 1, 'nc', 0.99), null);
  const { labels: _, ...noLabels } = summary(0.99);
  assert.equal(scanFromResults(results({ nc: noLabels }), 1, 1, 'nc', 0.99), null);
});
