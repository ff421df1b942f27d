import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { scheduleLabel } from '../train/schedules.ts';
import { storedScans, type ExperimentResults, type StoredScanIndex } from './results.ts';

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
  return `${c.dataset} ${c.model}: ${c.attack?.kind ?? 'clean'}, inject ${c.injection.mode}, ${scheduleLabel(c.update.schedule)} (${results.seeds.length} seeds)`;
}

/**
 * Figure 2 of the paper for one experiment: clean accuracy and ASR per model (mean line,
 * +-1 std band over seeds), with the static F0 baseline dashed.
 */
export function timelineSpec(results: ExperimentResults, title: string): TopLevelSpec {
  const rows: { model: number; series: string; mean: number; lo: number; hi: number }[] = [];
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
    push(m.index, 'clean accuracy', m.cleanAccuracy);
    push(m.index, 'ASR', m.asr);
    push(m.index, 'static F0 accuracy', m.staticAccuracy);
    push(m.index, 'static F0 ASR', m.staticAsr);
  }
  const series = ['clean accuracy', 'ASR', 'static F0 accuracy', 'static F0 ASR'];
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: series, range: PALETTE.slice(0, 4) },
    title: null,
  };
  const x = {
    field: 'model',
    type: 'quantitative',
    title: 'model update (0 = F0)',
    axis: { tickMinStep: 1 },
  };
  const timeline = {
    // The bands' colour legend is hidden and the lines' shown: legends per layer.
    resolve: { legend: { color: 'independent' } },
    width: 520,
    height: 280,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        // The bands share the lines' colours; only the lines' legend (colour + dash) is drawn.
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
          color: { ...color, legend: null },
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'rate (0-1)', scale: { domain: [0, 1] } },
          color,
          strokeDash: {
            field: 'series',
            type: 'nominal',
            scale: {
              domain: series,
              range: [
                [1, 0],
                [1, 0],
                [6, 4],
                [2, 2],
              ],
            },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'rule', strokeDash: [3, 3], color: '#666' },
        encoding: { y: { datum: results.config.gamma } },
      },
    ],
  };
  const header = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title };
  const scans = scanRows(results);
  if (scans.length === 0) return { ...header, ...timeline } as TopLevelSpec;
  return {
    ...header,
    // Each panel keeps its own colours and legend (series above, scans below).
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    vconcat: [timeline, anomalyPanel(scans, x)],
  } as TopLevelSpec;
}

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
  return {
    width: 520,
    height: 140,
    data: { values: rows },
    layer: [
      { mark: { type: 'point', opacity: 0.6 }, encoding: { x, y, color } },
      {
        mark: { type: 'line', point: false },
        encoding: { x, y: { ...y, aggregate: 'mean' }, color },
      },
      {
        mark: { type: 'rule', strokeDash: [3, 3], color: '#B00' },
        encoding: { y: { datum: 2 } },
      },
    ],
  };
}
