import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { scheduleLabel } from '../train/schedules.ts';
import { storedScans, type ExperimentResults, type StoredScanIndex } from './results.ts';
import {
  dodgeCoinciding,
  gammaLayers,
  lineStyleEncoding,
  percentY,
  seedsLabel,
  timelineCaption,
  ONE_ROW,
  updatesX,
  wrapLines,
} from './figure-style.ts';
import { useFigureTextMetrics } from './text-metrics.ts';

/** The figures' font family (scripts/install-system-deps.sh installs it for the PNGs). */
export const FIGURE_FONT = 'DejaVu Sans';

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#F0E442',
  '#000000',
];

/** Renders a Vega-Lite spec to SVG, headless (no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Lay the figure out with the real widths of its texts: it is then as wide as its content.
  useFigureTextMetrics();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** e.g. "mnist small-cnn: badnets, inject d0, SGD 0.01 (3 seeds)": what `run` and `plot` draw. */
export function defaultPlotTitle(results: ExperimentResults): string {
  const c = results.config;
  return `${c.dataset} ${c.model}: ${c.attack?.kind ?? 'clean'}, inject ${c.injection.mode}, ${scheduleLabel(c.update.schedule)} (${seedsLabel(results.seeds.length)})`;
}

const SERIES = ['clean accuracy', 'ASR', 'static F0 accuracy', 'static F0 ASR'];

export interface TimelinePoint {
  readonly model: number;
  readonly series: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  /** Where the point is drawn: `model`, offset sideways when another series coincides. */
  readonly xPlot: number;
}

/** The plotted rows of the timeline: mean and +-1 std band per series and model. */
export function timelineRows(results: ExperimentResults): TimelinePoint[] {
  const rows: Omit<TimelinePoint, 'xPlot'>[] = [];
  const push = (model: number, series: string, b: { mean: number; std: number } | null): void => {
    if (b)
      rows.push({
        model,
        series,
        mean: b.mean,
        lo: Math.max(0, b.mean - b.std),
        hi: Math.min(1, b.mean + b.std),
      });
  };
  for (const m of results.summary.models) {
    push(m.index, SERIES[0], m.cleanAccuracy);
    push(m.index, SERIES[1], m.asr);
    push(m.index, SERIES[2], m.staticAccuracy);
    push(m.index, SERIES[3], m.staticAsr);
  }
  const last = Math.max(1, ...rows.map((r) => r.model));
  const xs = dodgeCoinciding(
    rows.map((r) => ({ series: r.series, x: r.model, mean: r.mean })),
    { tolerance: 0.005, step: DODGE_SHARE * last },
  );
  return rows.map((r, i) => ({ ...r, xPlot: xs[i] }));
}

/** Sideways offset between coinciding series, as a share of the x axis (about 6 px). */
export const DODGE_SHARE = 0.012;

/**
 * Figure 2 of the paper for one experiment: clean accuracy and ASR per model (mean line,
 * +-1 std band over seeds), the static F0 baseline dashed, the gamma rule labelled.
 */
export function timelineSpec(results: ExperimentResults, title: string): TopLevelSpec {
  const rows = timelineRows(results);
  const series = SERIES.filter((s) => rows.some((r) => r.series === s));
  const last = Math.max(1, ...rows.map((r) => r.model));
  const color = {
    field: 'series',
    type: 'nominal',
    // Fixed colour and dash per series name, whichever series a run has.
    scale: { domain: series, range: series.map((s) => PALETTE[SERIES.indexOf(s)]) },
    title: null,
  };
  const x = { ...updatesX('xPlot', last) };
  const dodged = rows.some((r) => r.xPlot !== r.model);
  const caption = timelineCaption(results.seeds.length, results.config.gamma, dodged);
  const timeline = {
    width: 520,
    height: 280,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.15, clip: false },
        // The bands share the lines' colour scale and so its one legend (colour + dash + width);
        // a legend: null here would drop the merged legend altogether.
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          color,
          detail: { field: 'series' },
        },
      },
      {
        mark: { type: 'line', point: { filled: true, size: 28 }, clip: false },
        encoding: {
          x,
          y: percentY('mean', 'accuracy / ASR'),
          color,
          ...lineStyleEncoding(
            'series',
            series,
            null,
            series.map((s) => SERIES.indexOf(s)),
          ),
          tooltip: [{ field: 'series' }, { field: 'model' }, { field: 'mean', format: '.1%' }],
        },
      },
      ...gammaLayers(results.config.gamma, last),
    ],
  };
  const header = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: wrapLines(caption, 100), subtitleFontSize: 10, anchor: 'start' },
    background: 'white',
    config: FIGURE_CONFIG,
  };
  const scans = scanRows(results);
  if (scans.length === 0) return { ...header, ...timeline } as unknown as TopLevelSpec;
  return {
    ...header,
    // Each panel keeps its own colours and legend (series above, scans below).
    resolve: {
      scale: { color: 'independent', strokeDash: 'independent', strokeWidth: 'independent' },
      legend: { color: 'independent', strokeDash: 'independent', strokeWidth: 'independent' },
    },
    vconcat: [timeline, anomalyPanel(scans, updatesX('model', last))],
  } as TopLevelSpec;
}

/** Fonts and legend symbols of every figure (full-opacity strokes: the bands are translucent). */
export const FIGURE_CONFIG = {
  font: FIGURE_FONT,
  legend: {
    symbolOpacity: 1,
    symbolType: 'stroke',
    symbolStrokeWidth: 2.5,
    symbolSize: 300,
    labelLimit: 320,
  },
  axis: { labelFontSize: 11, titleFontSize: 12 },
};

type ScanRow = Omit<StoredScanIndex, 'flagged'>;

/** Anomaly indices that `run --scan` stored in results.json, one row per seed and scan. */
export function scanRows(results: ExperimentResults): ScanRow[] {
  return storedScans(results.seeds).map(({ flagged: _, ...row }) => row);
}

/** Second panel under the timeline: each seed's anomaly index as a point, the mean as a line, 2 = flagged. */
function anomalyPanel(rows: ScanRow[], x: Record<string, unknown>) {
  const scans = [...new Set(rows.map((r) => r.scan))].sort();
  const color = {
    field: 'scan',
    type: 'nominal',
    scale: { domain: scans, range: PALETTE.slice(4, 4 + scans.length) },
    title: 'scan',
  };
  const y = { field: 'index', type: 'quantitative', title: 'anomaly index' };
  const last = (x.scale as { domain: number[] }).domain[1];
  return {
    title: {
      text: 'Backdoor scans: a point per seed, the line their mean',
      fontSize: 11,
      fontWeight: 'normal',
      anchor: 'start',
    },
    width: 520,
    height: 140,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'point', opacity: 0.6, clip: false },
        encoding: { x, y, color },
      },
      {
        mark: { type: 'line', point: false, clip: false },
        encoding: { x, y: { ...y, aggregate: 'mean' }, color, ...lineStyleEncoding('scan', scans, 'scan') },
      },
      {
        data: ONE_ROW,
        mark: { type: 'rule', strokeDash: [3, 3], color: '#B00' },
        encoding: { y: { datum: 2 } },
      },
      {
        data: ONE_ROW,
        mark: {
          type: 'text',
          text: 'flagged above 2',
          align: 'right',
          baseline: 'bottom',
          dx: -3,
          dy: -2,
          fontSize: 10,
          color: '#B00',
        },
        encoding: { x: { datum: last }, y: { datum: 2 } },
      },
    ],
  };
}
