import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFigure } from '../../sim/experiment/figure-files.ts';
import {
  defaultPlotTitle,
  renderSvg,
  scanRows,
  timelineRows,
  timelineSpec,
} from '../../sim/experiment/plot.ts';
import { timelineFixture as results } from '../helpers/timeline-fixture.ts';

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

interface Layer {
  mark: { type: string; text?: string };
  encoding: Record<string, { scale?: { domain?: unknown[]; range?: unknown[] }; axis?: { format?: string } }>;
}

test('the timeline: percent y axis, x ending at the last update, labelled gamma, dashes', () => {
  const spec = timelineSpec(results(false), 't') as unknown as { layer: Layer[] };
  const line = spec.layer.find((l) => l.mark.type === 'line');
  assert.ok(line);
  assert.equal(line.encoding.y.axis?.format, '.0%');
  assert.deepEqual(line.encoding.y.scale?.domain, [0, 1]);
  assert.deepEqual(line.encoding.x.scale?.domain, [0, 1]); // F0 and one update
  assert.equal(new Set(line.encoding.strokeDash.scale?.range?.map(String)).size, 4);
  const label = spec.layer.find((l) => l.mark.type === 'text');
  assert.equal(label?.mark.text, 'γ = 0.5');
});

test('ASR and static F0 ASR coincide in the fixture (99% both): they are offset, accuracy is not', () => {
  const rows = timelineRows(results(false));
  const at = (series: string, model: number) =>
    rows.find((r) => r.series === series && r.model === model)?.xPlot;
  const asr = at('ASR', 1);
  const staticAsr = at('static F0 ASR', 1);
  assert.ok(asr !== undefined && staticAsr !== undefined);
  assert.ok(asr < 1 && staticAsr > 1, `${asr} ${staticAsr}`);
  assert.equal(at('clean accuracy', 1), 1); // 97% against 90%: apart
  assert.equal(at('static F0 accuracy', 1), 1);
});

test('"1 seed" in the title of a one-seed run', () => {
  const one = { ...results(false), seeds: results(false).seeds.slice(0, 1) };
  assert.match(
    defaultPlotTitle({
      ...one,
      config: {
        ...one.config,
        dataset: 'mnist',
        model: 'small-cnn',
        injection: { mode: 'd0' },
        update: { schedule: { kind: 'constant', lr: 0.01 } },
      },
    } as never),
    /\(1 seed\)$/,
  );
});

test('writeFigure writes a valid SVG and a PNG at twice its size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'figure-'));
  const paths = await writeFigure(join(dir, 'plot'), timelineSpec(results(true), 'scanned'));
  assert.deepEqual(paths, [join(dir, 'plot.svg'), join(dir, 'plot.png')]);
  const svg = readFileSync(paths[0], 'utf8');
  assert.match(svg, /^<svg/);
  const [w, h] = [/width="(\d+)"/, /height="(\d+)"/].map((re) => Number(re.exec(svg)?.[1]));
  const png = readFileSync(paths[1]);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  assert.equal(png.readUInt32BE(16), 2 * w);
  assert.equal(png.readUInt32BE(20), 2 * h);
  assert.ok(png.length > 20_000, `${png.length} bytes: a blank image compresses to far less`);
});
