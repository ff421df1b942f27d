import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIGURES, type FigureData } from '../../sim/report/figures.ts';
import { fig2Rows, fig10Rows, metricRows, paperTable } from '../../sim/report/paper-figures.ts';
import { metricSpec, timelinesSpec, type TimelineRow } from '../../sim/report/specs.ts';

interface Spec {
  data: { values: { series?: string; line?: string; model?: number; x?: number; xPlot: number }[] };
  spec: {
    layer: {
      mark: { type: string; text?: string };
      encoding: Record<
        string,
        { scale?: { domain?: unknown[]; range?: unknown[] }; axis?: { format?: string } }
      >;
    }[];
  };
}

const row = (series: string, model: number, mean: number): TimelineRow => ({
  panel: 'inject D0',
  series,
  model,
  mean,
  std: 0.01,
});

// Two attacks at 100% ASR all along (they coincide), clean accuracy apart.
const timeline = [0, 1, 2, 3].flatMap((m) => [
  row('clean accuracy (all)', m, 0.97),
  row('badnets ASR', m, 1),
  row('blend ASR', m, 1),
]);

test('timelinesSpec: percent y axis, x ending at the last update, dashes, labelled gamma', () => {
  const spec = timelinesSpec(timeline, 'Fig. 2', 0.5) as unknown as Spec;
  const line = spec.spec.layer.find((l) => l.mark.type === 'line');
  assert.ok(line);
  assert.equal(line.encoding.y.axis?.format, '.0%');
  assert.deepEqual(line.encoding.x.scale?.domain, [0, 3]);
  assert.equal(new Set(line.encoding.strokeDash.scale?.range?.map(String)).size, 3);
  assert.equal(spec.spec.layer.find((l) => l.mark.type === 'text')?.mark.text, 'γ = 0.5');
  assert.equal(
    (timelinesSpec(timeline, 'Fig. 10', null) as unknown as Spec).spec.layer.some(
      (l) => l.mark.type === 'text',
    ),
    false,
  );
});

test('timelinesSpec offsets the two coinciding ASR lines and leaves accuracy in place', () => {
  const spec = timelinesSpec(timeline, 'Fig. 2', 0.5) as unknown as Spec;
  const at = (series: string) => spec.data.values.find((v) => v.series === series && v.model === 2)?.xPlot;
  // step = 0.015 x 3 updates; slots -0.5 and +0.5.
  assert.ok(Math.abs((at('badnets ASR') ?? 0) - (2 - 0.0225)) < 1e-12);
  assert.ok(Math.abs((at('blend ASR') ?? 0) - (2 + 0.0225)) < 1e-12);
  assert.equal(at('clean accuracy (all)'), 2);
});

const figure = (key: string, points: FigureData['points'], yMax = 14): FigureData => ({
  def: FIGURES.find((f) => f.key === key) as FigureData['def'],
  points,
  yMax,
});
const point = (panel: string, line: string, x: number, mean: number) => ({
  panel,
  line,
  x,
  mean,
  std: 0,
  seeds: 3,
});

test('metricSpec: accuracy in percent, survivability in updates, coinciding lines offset on a log axis', () => {
  const acc = metricSpec(
    figure('learning-rate-accuracy', [point('p', 'a', 0.005, 0.99), point('p', 'a', 0.5, 0.91)], 1),
    't',
  ) as unknown as Spec;
  const accLine = acc.spec.layer.find((l) => l.mark.type === 'line');
  assert.equal(accLine?.encoding.y.axis?.format, '.0%');
  const surv = metricSpec(
    figure('learning-rate', [
      point('p', 'badnets', 0.01, 14),
      point('p', 'badnets', 0.1, 14),
      point('p', 'blend', 0.01, 14),
      point('p', 'blend', 0.1, 3),
    ]),
    't',
  ) as unknown as Spec;
  const survLine = surv.spec.layer.find((l) => l.mark.type === 'line');
  assert.equal(survLine?.encoding.y.axis, undefined);
  assert.deepEqual(survLine?.encoding.y.scale?.domain, [0, 14]);
  // They meet at x = 0.01: factor (0.1 / 0.01)^0.015 per slot, slots -0.5 / +0.5.
  const f = 10 ** (0.015 * 0.5);
  const xs = surv.data.values.filter((v) => v.x === 0.01).map((v) => v.xPlot);
  assert.ok(Math.abs(xs[0] - 0.01 / f) < 1e-12 && Math.abs(xs[1] - 0.01 * f) < 1e-12, String(xs));
});

test("the paper's values beside ours: Fig. 2 and Fig. 10", () => {
  const rows = fig2Rows([
    row('clean accuracy (all)', 0, 0.98),
    row('clean accuracy (all)', 15, 0.96),
    row('badnets ASR', 0, 1),
    row('badnets ASR', 15, 0.154),
    { ...row('wanet ASR', 1, 0.805), panel: 'inject D1' },
  ]);
  assert.match(rows[0].paper, /80\.5%/);
  assert.equal(rows[0].ours, 'inject D0, badnets: 100.0%; inject D1, wanet: 80.5%');
  assert.equal(rows[1].ours, 'inject D0, clean accuracy (all): 98.0% (F0) → 96.0% (update 15)');
  assert.match(fig10Rows([])[0].paper, /99% → 46%/);
  assert.equal(fig10Rows([])[0].ours, null);
});

test("the paper's values beside ours: lr ends, STLR's largest survivability, the table", () => {
  const acc = metricRows('learning-rate-accuracy', [
    point('inject D0', 'all', 0.005, 0.99),
    point('inject D0', 'all', 0.05, 0.98),
    point('inject D0', 'all', 0.5, 0.912),
  ]);
  assert.equal(acc[0].ours, 'inject D0 · all at 0.005: 99.0%; inject D0 · all at 0.5: 91.2%');
  const ratio = metricRows('poison-ratio', [
    point('inject D0 · STLR max 0.5', 'badnets', 0.1, 0.33),
    point('inject D0 · STLR max 0.5', 'badnets', 0.2, 1),
  ]);
  assert.equal(ratio[1].ours, 'at most 1.0 (inject D0 · STLR max 0.5 · badnets at 0.2; 2 points)');
  assert.equal(ratio[0].ours, null); // no SGD cell
  assert.match(paperTable(ratio), /\| SGD \(Fig\. 3\).*\| no cell \|/);
  assert.equal(paperTable([]), '');
});
