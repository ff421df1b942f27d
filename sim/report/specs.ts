import type { TopLevelSpec } from 'vega-lite';
import {
  dodgeCoinciding,
  gammaLayers,
  lineStyleEncoding,
  percentY,
  updatesX,
} from '../experiment/figure-style.ts';
import { FIGURE_CONFIG, PALETTE } from '../experiment/plot.ts';
import { itemTextWidth, wrapToWidth } from '../experiment/text-metrics.ts';
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

// Vega-Lite's defaults: title 13 px bold, axis titles bold (12 px in FIGURE_CONFIG), legend
// labels 10 px, 20 px between facet panels.
const TITLE_PX = 13;
const AXIS_TITLE_PX = 12;
const LEGEND_LABEL_PX = 10;
const PANEL_SPACING = 20;
// The y axis left of the first panel: "100%" labels, the axis title, their padding.
const Y_AXIS_WIDTH = 60;
// A legend entry besides its label: the stroke symbol, its gap and the column padding.
const LEGEND_ENTRY_EXTRA = 40;

/**
 * How wide a faceted figure's content is: its panels and y axis, or its two-column legend
 * when that is wider. The title is wrapped to it, so that a long title over one narrow panel
 * does not widen the figure by a blank band.
 */
export function contentWidth(panels: number, panelWidth: number, legendLabels: readonly string[]): number {
  const plots = panels * panelWidth + (panels - 1) * PANEL_SPACING + Y_AXIS_WIDTH;
  const label = Math.max(0, ...legendLabels.map((l) => itemTextWidth({ fontSize: LEGEND_LABEL_PX }, l)));
  const legend = Math.min(2, legendLabels.length) * (label + LEGEND_ENTRY_EXTRA);
  return Math.max(plots, legend);
}

/** The title of a faceted figure, in lines no wider than its content. */
function wrappedTitle(title: string, width: number): { text: string[] } {
  return { text: wrapToWidth(title, width, TITLE_PX, true) };
}

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
  const panels = new Set(fig.points.map((p) => p.panel)).size;
  const size = { width: 220, height: 170 };
  // A y title longer than the panel is tall would stick out above and below it.
  const yLines = wrapToWidth(yTitle, size.height, AXIS_TITLE_PX, true);
  const x = {
    field: 'xPlot',
    type: 'quantitative',
    title: def.xLabel,
    scale: def.xLog ? { type: 'log' } : { zero: false },
    axis: { tickCount: 5 },
  };
  const y = accuracy
    ? percentY('mean', yLines)
    : { field: 'mean', type: 'quantitative', title: yLines, scale: { domain: [0, fig.yMax] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: wrappedTitle(title, contentWidth(panels, size.width, lines)),
    background: 'white',
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 11 } } },
    spec: {
      ...size,
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
  const panels = new Set(rows.map((r) => r.panel)).size;
  const size = { width: 260, height: 180 };
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
        y: percentY('mean', wrapToWidth(yTitle, size.height, AXIS_TITLE_PX, true)),
        color: color('series', series),
        ...lineStyleEncoding('series', series),
      },
    },
  ];
  if (gamma !== null) layer.push(...gammaLayers(gamma, last));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: wrappedTitle(title, contentWidth(panels, size.width, series)),
    background: 'white',
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    spec: { ...size, layer },
    config: FIGURE_CONFIG,
  } as unknown as TopLevelSpec;
}
