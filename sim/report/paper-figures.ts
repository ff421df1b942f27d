import type { FigurePoint } from './figures.ts';
import type { TimelineRow } from './specs.ts';

/**
 * What the paper's figures show, in its own words and numbers (paper sections 5-6, App. C),
 * set beside the same quantity measured in a sweep. The paper's figures are plots without a
 * table, so only the values its text states are quoted; elsewhere the row gives its claim.
 */
export interface PaperRow {
  readonly what: string;
  readonly paper: string;
  /** Ours, or null when the sweep has no cell for it. */
  readonly ours: string | null;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
const upd = (v: number): string => v.toFixed(1);

/** First and last mean of each series, "a → b", optionally only series matching `keep`. */
function firstLast(rows: readonly TimelineRow[], keep: (series: string) => boolean): string | null {
  const out: string[] = [];
  for (const panel of [...new Set(rows.map((r) => r.panel))]) {
    for (const series of [...new Set(rows.filter((r) => r.panel === panel).map((r) => r.series))]) {
      if (!keep(series)) continue;
      const list = rows
        .filter((r) => r.panel === panel && r.series === series)
        .sort((a, b) => a.model - b.model);
      if (list.length === 0) continue;
      const [a, b] = [list[0], list[list.length - 1]];
      out.push(`${panel}, ${series}: ${pct(a.mean)} (F0) → ${pct(b.mean)} (update ${b.model})`);
    }
  }
  return out.length > 0 ? out.join('; ') : null;
}

/** Each ASR series at the first model after poisoning: F0 for D0, F1 for D1. */
function injectedAsr(rows: readonly TimelineRow[]): string | null {
  const out = rows
    .filter((r) => r.series.endsWith(' ASR') && r.model === (r.panel.endsWith('D1') ? 1 : 0))
    .map((r) => `${r.panel}, ${r.series.replace(/ ASR$/, '')}: ${pct(r.mean)}`);
  return out.length > 0 ? out.join('; ') : null;
}

/** Fig. 2 (ASR and accuracy per update) against the paper. */
export function fig2Rows(rows: readonly TimelineRow[]): PaperRow[] {
  return [
    {
      what: 'ASR when injected (F0 for D0, F1 for D1)',
      paper: 'over 98% in most cases; WaNet injected in D1 on MNIST 80.5%',
      ours: injectedAsr(rows),
    },
    {
      what: 'clean accuracy over the updates',
      paper: 'stays at the same level during fine-tuning',
      ours: firstLast(rows, (s) => s.startsWith('clean accuracy')),
    },
    {
      what: 'ASR over the updates',
      paper: 'degrades for all three attacks, on both data sets and both injections (no value stated)',
      ours: firstLast(rows, (s) => s.endsWith(' ASR')),
    },
  ];
}

/** Fig. 10 (a static F0 under drift) against the paper. */
export function fig10Rows(rows: readonly TimelineRow[]): PaperRow[] {
  return [
    {
      what: 'static F0 accuracy, F0 → 15 drift steps',
      paper: 'MNIST (rotation 4° per step): 99% → 46%; CIFAR-10 (hue 0.02): 92% → 74%',
      ours: firstLast(rows, (s) => s.startsWith('static')),
    },
  ];
}

const isStlr = (p: FigurePoint): boolean => p.panel.includes('STLR');

/** The mean per line at the smallest or largest x, "line: value", over the chosen points. */
function atEnd(
  points: readonly FigurePoint[],
  end: 'min' | 'max',
  format: (v: number) => string,
): string | null {
  const out: string[] = [];
  const key = (p: FigurePoint): string => `${p.panel} · ${p.line}`;
  for (const k of [...new Set(points.map(key))]) {
    const line = points.filter((p) => key(p) === k);
    const pick = line.reduce((a, b) => ((end === 'min' ? b.x < a.x : b.x > a.x) ? b : a));
    out.push(`${k} at ${pick.x}: ${format(pick.mean)}`);
  }
  return out.length > 0 ? out.join('; ') : null;
}

/** The largest mean over the chosen points (e.g. STLR survivability, the paper's 0). */
function largest(points: readonly FigurePoint[], format: (v: number) => string): string | null {
  if (points.length === 0) return null;
  const top = points.reduce((a, b) => (b.mean > a.mean ? b : a));
  return `at most ${format(top.mean)} (${top.panel} · ${top.line} at ${top.x}; ${points.length} points)`;
}

/** The points a row's "ours" reads: all of them, the SGD panels, the STLR panels. */
interface Selection {
  readonly all: readonly FigurePoint[];
  readonly sgd: readonly FigurePoint[];
  readonly stlr: readonly FigurePoint[];
}

interface RowDef {
  readonly what: string;
  readonly paper: string;
  readonly ours: (s: Selection) => string | null;
}

/** The paper states no value: point at the figure's values, if the sweep has any. */
const valuesBelow = (points: readonly FigurePoint[]): string | null =>
  points.length > 0 ? 'see the values below' : null;
/** STLR survivability, which the paper gives as 0: the largest we measured. */
const stlrLargest = (s: Selection): string | null => largest(s.stlr, upd);

/** What the paper says of each metric figure (by FigureDef key), and how to set ours beside it. */
const METRIC_ROWS: Readonly<Record<string, readonly RowDef[]>> = {
  'poison-ratio': [
    {
      what: 'SGD (Fig. 3): D0 against D1, and the ratio',
      paper:
        'D0 survives longer than D1 at the same ratio; a higher ratio does not always survive longer (no value stated)',
      ours: (s) => valuesBelow(s.sgd),
    },
    {
      what: 'STLR max 0.5 (Fig. 8)',
      paper: '0: an injected backdoor cannot survive past a single update',
      ours: stlrLargest,
    },
  ],
  visibility: [
    {
      what: 'SGD (Fig. 4)',
      paper:
        'survivability grows with patch size, blend ratio and warp strength; WaNet survives least (no value stated)',
      ours: (s) => valuesBelow(s.sgd),
    },
    {
      what: 'STLR max 0.5 (Fig. 9)',
      paper: 'significantly lower than SGD for every trigger; in most cases 0',
      ours: stlrLargest,
    },
  ],
  'drift-step': [
    {
      what: 'survivability against the drift step (Fig. 5)',
      paper: 'a larger step p always means a lower survivability (no value stated)',
      ours: (s) => valuesBelow(s.all),
    },
  ],
  'learning-rate': [
    {
      what: 'survivability at the largest lr (Fig. 6)',
      paper: 'decreases to 0 for every attack when the lr grows from 0.005 to 0.5',
      ours: (s) => atEnd(s.all, 'max', upd),
    },
  ],
  'learning-rate-accuracy': [
    {
      what: 'clean accuracy after 15 updates, smallest → largest lr (Fig. 7)',
      paper: 'MNIST 99% → 91%; CIFAR-10 92% → 60% (lr 0.005 → 0.5)',
      ours: (s) => (s.all.length > 0 ? `${atEnd(s.all, 'min', pct)}; ${atEnd(s.all, 'max', pct)}` : null),
    },
  ],
  persistent: [
    {
      what: 'SGD (Fig. 11)',
      paper: 'poisoning more updates usually survives longer, with no guarantee (no value stated)',
      ours: (s) => valuesBelow(s.sgd),
    },
    {
      what: 'STLR max 0.5 (Fig. 12)',
      paper: 'stays 0 for persistent poisoning',
      ours: stlrLargest,
    },
  ],
  epochs: [
    {
      what: '5 → 20 epochs per update (Fig. 13)',
      paper: 'reduces survivability in most cases, by little, at several times the cost (no value stated)',
      ours: (s) => valuesBelow(s.all),
    },
  ],
};

/** The paper's statement and values for a metric figure (by FigureDef key); none for others. */
export function metricRows(key: string, points: readonly FigurePoint[]): PaperRow[] {
  const defs = Object.hasOwn(METRIC_ROWS, key) ? METRIC_ROWS[key] : [];
  const selection: Selection = {
    all: points,
    sgd: points.filter((p) => !isStlr(p)),
    stlr: points.filter(isStlr),
  };
  return defs.map((d) => ({ what: d.what, paper: d.paper, ours: d.ours(selection) }));
}

/** A "what / paper / ours" Markdown table; empty when there is no row. */
export function paperTable(rows: readonly PaperRow[]): string {
  if (rows.length === 0) return '';
  const lines = ['| | the paper (its text) | this sweep |', '| --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.what} | ${r.paper} | ${r.ours ?? 'no cell'} |`);
  return lines.join('\n');
}
