import type { TopLevelSpec } from 'vega-lite';
import {
  dodgeCoinciding,
  gammaLayers,
  lineStyleEncoding,
  percentY,
  updatesX,
} from '../experiment/figure-style.ts';
import { FIGURE_CONFIG, PALETTE } from '../experiment/plot.ts';
import type { FigureData } from './figures.ts';

/** Vega-Lite specs of the report's figures (rendered to SVG by experiment/plot.ts). */

// One legend for colour, dash and width (same field, same title null): below the panels.
const color = (field: string, domain: readonly string[]): Record<string, unknown> => ({
  field,
  type: 'nominal',
  scale: { domain, range: PALETTE },
  title: null,
  legend: { orient: 'bottom', columns: 2, labelLimit: 320 },
});

/** Sideways offset of coinciding lines, as a share of a panel's x range (about 3 px). */
const DODGE_SHARE = 0.015;

/**
 * Metric vs knob, one panel per group, mean line with a +-1 std error bar per point; lines
 * that coincide (e.g. two attacks saturating at the horizon) are offset sideways.
 */
export function metricSpec(fig: FigureData, title: string): TopLevelSpec {
  const { def } = fig;
  const accuracy = def.metric === 'finalAccuracy';
  const yTitle = accuracy ? 'clean accuracy after the last update' : 'γ-survivability (updates)';
  const xs = fig.points.map((p) => p.x);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const step = def.xLog ? (hi / lo) ** DODGE_SHARE : (hi - lo) * DODGE_SHARE;
  const plotted = dodgeCoinciding(
    fig.points.map((p) => ({ panel: p.panel, series: p.line, x: p.x, mean: p.mean })),
    { tolerance: 0.005 * fig.yMax, step, log: def.xLog },
  );
  const rows = fig.points.map((p, i) => ({
    ...p,
    xPlot: plotted[i],
    lo: Math.max(0, p.mean - p.std),
    hi: Math.min(fig.yMax, p.mean + p.std),
  }));
  const lines = [...new Set(fig.points.map((p) => p.line))];
  const x = {
    field: 'xPlot',
    type: 'quantitative',
    title: def.xLabel,
    scale: def.xLog ? { type: 'log' } : { zero: false },
    axis: { tickCount: 5 },
  };
  const y = accuracy
    ? percentY('mean', yTitle)
    : { field: 'mean', type: 'quantitative', title: yTitle, scale: { domain: [0, fig.yMax] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    background: 'white',
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 11 } } },
    spec: {
      width: 220,
      height: 170,
      layer: [
        {
          mark: { type: 'rule', opacity: 0.6, clip: false },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            color: color('line', lines),
          },
        },
        {
          mark: { type: 'line', point: { filled: true, size: 28 }, clip: false },
          encoding: { x, y, color: color('line', lines), ...lineStyleEncoding('line', lines) },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
    config: FIGURE_CONFIG,
  } as TopLevelSpec;
}

export interface TimelineRow {
  readonly panel: string;
  readonly series: string;
  readonly model: number;
  readonly mean: number;
  readonly std: number;
}

/**
 * Fig. 2 / Fig. 10: rates per model update in percent, one panel per group, a band of +-1
 * std, the x axis ending at the last update, the gamma rule labelled; series that coincide
 * (e.g. two attacks at 100% ASR) are offset sideways.
 */
export function timelinesSpec(
  rows: readonly TimelineRow[],
  title: string,
  gamma: number | null,
  yTitle = 'accuracy / ASR',
): TopLevelSpec {
  const last = Math.max(1, ...rows.map((r) => r.model));
  const plotted = dodgeCoinciding(
    rows.map((r) => ({ panel: r.panel, series: r.series, x: r.model, mean: r.mean })),
    { tolerance: 0.005, step: DODGE_SHARE * last },
  );
  const values = rows.map((r, i) => ({
    ...r,
    xPlot: plotted[i],
    lo: Math.max(0, r.mean - r.std),
    hi: Math.min(1, r.mean + r.std),
  }));
  const series = [...new Set(rows.map((r) => r.series))];
  const x = updatesX('xPlot', last);
  const layer: Record<string, unknown>[] = [
    {
      mark: { type: 'area', opacity: 0.15, clip: false },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative' },
        y2: { field: 'hi' },
        color: color('series', series),
        detail: { field: 'series' },
      },
    },
    {
      mark: { type: 'line', point: { filled: true, size: 24 }, clip: false },
      encoding: {
        x,
        y: percentY('mean', yTitle),
        color: color('series', series),
        ...lineStyleEncoding('series', series),
      },
    },
  ];
  if (gamma !== null) layer.push(...gammaLayers(gamma, last));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    background: 'white',
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: { width: 260, height: 180, layer },
    config: FIGURE_CONFIG,
  } as unknown as TopLevelSpec;
}
