import type { TopLevelSpec } from 'vega-lite';
import { PALETTE } from '../experiment/plot.ts';
import type { FigureData } from './figures.ts';

/** Vega-Lite specs of the report's figures (rendered to SVG by experiment/plot.ts). */

const color = (field: string, title: string | null = null): Record<string, unknown> => ({
  field,
  type: 'nominal',
  scale: { range: PALETTE },
  title,
  legend: { orient: 'bottom', columns: 2, labelLimit: 320 },
});

// Legend symbols at full opacity (the +-1 std bands are drawn translucent in the same colours).
const LEGEND_CONFIG = { legend: { symbolOpacity: 1, symbolType: 'stroke', symbolStrokeWidth: 3 } };

/** Metric vs knob, one panel per group, mean line with a +-1 std error bar per point. */
export function metricSpec(fig: FigureData, title: string): TopLevelSpec {
  const { def } = fig;
  const yTitle =
    def.metric === 'survivability' ? 'gamma-survivability (updates)' : 'clean accuracy after last update';
  const x = {
    field: 'x',
    type: 'quantitative',
    title: def.xLabel,
    scale: def.xLog ? { type: 'log' } : { zero: false },
    axis: { tickCount: 5 },
  };
  const rows = fig.points.map((p) => ({
    ...p,
    lo: Math.max(0, p.mean - p.std),
    hi: Math.min(fig.yMax, p.mean + p.std),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 11 } } },
    spec: {
      width: 220,
      height: 170,
      layer: [
        {
          mark: { type: 'rule', opacity: 0.6 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
            color: color('line'),
          },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { domain: [0, fig.yMax] } },
            color: color('line'),
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
    config: LEGEND_CONFIG,
  } as TopLevelSpec;
}

export interface TimelineRow {
  readonly panel: string;
  readonly series: string;
  readonly model: number;
  readonly mean: number;
  readonly std: number;
}

/** Fig. 2 / Fig. 10: rates per model update, one panel per group, a band of +-1 std. */
export function timelinesSpec(
  rows: readonly TimelineRow[],
  title: string,
  gamma: number | null,
): TopLevelSpec {
  const values = rows.map((r) => ({
    ...r,
    lo: Math.max(0, r.mean - r.std),
    hi: Math.min(1, r.mean + r.std),
  }));
  const x = {
    field: 'model',
    type: 'quantitative',
    title: 'model update (0 = F0)',
    axis: { tickMinStep: 1 },
  };
  const layer: Record<string, unknown>[] = [
    {
      mark: { type: 'area', opacity: 0.15 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: color('series') },
    },
    {
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative', title: 'rate (0-1)', scale: { domain: [0, 1] } },
        color: color('series'),
      },
    },
  ];
  if (gamma !== null)
    layer.push({
      mark: { type: 'rule', strokeDash: [3, 3], color: '#666' },
      encoding: { y: { datum: gamma } },
    });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: { width: 260, height: 180, layer },
    config: LEGEND_CONFIG,
  } as unknown as TopLevelSpec;
}
