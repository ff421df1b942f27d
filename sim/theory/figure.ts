import type { TopLevelSpec } from 'vega-lite';
import { PALETTE } from '../experiment/plot.ts';
import { firstCheckpointBelow } from './bounds.ts';
import { boundCurve, type TheoryResult } from './study.ts';
import { SURVIVAL_GAMMA } from './table.ts';

const DASHES: readonly (readonly number[])[] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [1, 3],
  [12, 4],
  [4, 1],
];
const BOUND_GAMMA = 'Thm 4.3 bound, γ_p';
const BOUND_GRAD = 'Thm 4.3 bound, ‖∇L_p(θ₀*)‖';

/**
 * The section-4 figure: per poison ratio (columns), the mean distance ||theta_t - theta_0*||
 * of clean SGD fine-tuning from theta_mix beside Theorem 4.3's bound alpha c / (sigma_mix t)
 * (top, log-log), and the ASR (bottom). Series differ by colour and dash, so the legend
 * reads in greyscale too.
 */
export function theorySpec(result: TheoryResult): TopLevelSpec {
  const scheduleLabels = result.ratios[0]?.schedules.map((s) => s.label) ?? [];
  const series = [...scheduleLabels, BOUND_GAMMA, BOUND_GRAD];
  const rows: { ratio: string; t: number; series: string; distance?: number; asr?: number }[] = [];
  for (const ratio of result.ratios) {
    const name = `α = ${ratio.alpha}`;
    for (const s of ratio.schedules)
      for (const p of s.curve)
        rows.push({ ratio: name, t: p.t, series: s.label, distance: p.distance, asr: p.asr });
    for (const [label, scale] of [
      [BOUND_GAMMA, 'gammaP'],
      [BOUND_GRAD, 'gradNorm'],
    ] as const)
      for (const p of boundCurve(result, ratio, scale))
        rows.push({ ratio: name, t: p.t, series: label, distance: p.distance });
  }
  const ratioOrder = result.ratios.map((r) => `α = ${r.alpha}`);
  const legend = {
    title: null,
    orient: 'bottom',
    columns: 3,
    symbolType: 'stroke',
    symbolSize: 500,
    labelLimit: 0,
  };
  const ticks = [0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000].filter(
    (t) => t <= result.options.iterations,
  );
  const { color, strokeDash } = seriesEncodings(
    series,
    [...PALETTE.slice(0, scheduleLabels.length), '#555555', '#999999'],
    legend,
  );
  const x = {
    field: 't',
    type: 'quantitative',
    scale: { type: 'symlog' },
    axis: { values: ticks },
    title: 'clean SGD iteration t',
  };
  const panel = (field: 'distance' | 'asr', y: Record<string, unknown>): Record<string, unknown> => ({
    transform: [{ filter: `isValid(datum.${field})` }],
    facet: { column: { field: 'ratio', type: 'nominal', sort: ratioOrder, title: null } },
    spec: {
      width: 190,
      height: 170,
      mark: { type: 'line', strokeWidth: 1.6 },
      encoding: { x, y: { field, type: 'quantitative', ...y }, color, strokeDash },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `Section 4 on softmax regression + L2 (λ = ${result.constants.lambda}): fine-tuning θ_mix on clean D0`,
      subtitle: `MNIST BadNets; t on a symlog axis, t = 0 is θ_mix; σ = λ, γ_p = ${result.constants.gammaP.value.toFixed(2)}, ‖∇L_p(θ₀*)‖ = ${result.constants.poisonGradNorm.toFixed(2)}; mean over ${result.options.repeats} minibatch stream${result.options.repeats === 1 ? '' : 's'}`,
    },
    data: { values: rows },
    vconcat: [
      panel('distance', { scale: { type: 'log' }, axis: { tickCount: 6 }, title: '‖θ_t − θ₀*‖ (log)' }),
      panel('asr', { scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'attack success rate' }),
    ],
    resolve: { scale: { y: 'independent' } },
    // Built as plain data: vega-lite's facet-in-vconcat types do not narrow from literals.
  } as unknown as TopLevelSpec;
}

/**
 * Survival against the poison ratio: per schedule, the first measured iteration with ASR
 * below the survivability threshold (the convex counterpart of the paper's Fig. 3); ratios
 * where the backdoor outlived the run are drawn at the last iteration as hollow points.
 */
export function survivalSpec(result: TheoryResult): TopLevelSpec {
  const labels = result.ratios[0]?.schedules.map((s) => s.label) ?? [];
  const rows = result.ratios.flatMap((r) =>
    r.schedules.map((s) => {
      const t = firstCheckpointBelow(s.curve, SURVIVAL_GAMMA);
      return { alpha: r.alpha, series: s.label, t: t ?? result.options.iterations, outlived: t === null };
    }),
  );
  // Schedules that coincide would hide each other: each is shifted by a few percent in alpha.
  const shifted = rows.map((row) => ({
    ...row,
    x: row.alpha * (1 + 0.04 * (labels.indexOf(row.series) - (labels.length - 1) / 2)),
  }));
  const alphas = result.ratios.map((r) => r.alpha);
  const legend = { title: null, symbolType: 'stroke', symbolSize: 500, labelLimit: 0 };
  const { color, strokeDash } = seriesEncodings(labels, PALETTE.slice(0, labels.length), legend);
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { type: 'log', domain: [Math.min(...alphas) * 0.8, Math.max(...alphas) * 1.2], nice: false },
    axis: { values: alphas },
    title: 'poison ratio α (log)',
  };
  const y = {
    field: 't',
    type: 'quantitative',
    scale: { type: 'symlog' },
    axis: {
      values: [0, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000].filter(
        (t) => t <= result.options.iterations,
      ),
    },
    title: `clean SGD iterations until ASR < ${SURVIVAL_GAMMA * 100}% (symlog)`,
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Backdoor survival vs poison ratio, softmax regression + L2',
      subtitle: `hollow: the ASR stayed above ${SURVIVAL_GAMMA * 100}% for all ${result.options.iterations} iterations; series offset slightly in α`,
    },
    width: 420,
    height: 260,
    data: { values: shifted },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x, y, color, strokeDash } },
      {
        mark: { type: 'point', size: 50 },
        encoding: {
          x,
          y,
          color: { ...color, legend: null },
          fill: { condition: { test: 'datum.outlived', value: 'white' }, ...color, legend: null },
          opacity: { value: 1 },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Colour and dash encodings of the `series` field, so that lines differ in greyscale too. */
function seriesEncodings(domain: readonly string[], colours: readonly string[], legend: object) {
  const encoding = (range: readonly (string | readonly number[])[]) => ({
    field: 'series',
    type: 'nominal',
    scale: { domain, range },
    legend,
  });
  return { color: encoding(colours), strokeDash: encoding(domain.map((_, i) => DASHES[i % DASHES.length])) };
}
