/**
 * Shared style of the figures (`permanence run`'s plot and `permanence report`): percent
 * axes, dash styles that survive greyscale printing, a labelled gamma line, and a sideways
 * offset for series that would otherwise be drawn exactly on top of each other.
 */

/** "1 epoch", "3 epochs": a count and its noun, singular for one. */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}

/** "1 seed", "3 seeds". */
export function seedsLabel(n: number): string {
  return plural(n, 'seed');
}

/** Dash patterns in legend order: solid, dashed, dotted, dash-dot, long dash, ... */
export const DASHES: readonly (readonly number[])[] = [
  [1, 0],
  [7, 3],
  [2, 2],
  [8, 3, 2, 3],
  [12, 4],
  [4, 2, 1, 2, 1, 2],
  [1, 3],
  [10, 2, 2, 2, 2, 2],
];

/**
 * Line widths in legend order: the first series is drawn widest, so that a later (thinner,
 * dashed) series lying on it still shows it around its dashes.
 */
export const WIDTHS: readonly number[] = [3.2, 2.6, 2.2, 1.9, 1.7, 1.5, 1.4, 1.3];

/**
 * The strokeDash and strokeWidth scales of `series` (one legend with the colour). `slots`
 * gives each series a fixed style (its index in a figure's full list of series), so that a
 * series keeps its dash when another is absent.
 */
export function lineStyleEncoding(
  field: string,
  series: readonly string[],
  title: string | null = null,
  slots: readonly number[] = series.map((_, i) => i),
): Record<string, unknown> {
  const pick = <T>(values: readonly T[]): T[] => slots.map((i) => values[i % values.length]);
  return {
    strokeDash: {
      field,
      type: 'nominal',
      scale: { domain: series, range: pick(DASHES) },
      title,
    },
    // Ordinal and sorted by the series' order: vega-lite merges it into the colour legend.
    strokeWidth: {
      field,
      type: 'ordinal',
      sort: [...series],
      // A discrete-to-discrete scale: the default (point) one interpolates, NaN for one series.
      scale: { type: 'ordinal', domain: series, range: pick(WIDTHS) },
      title,
    },
  };
}

/** A quantitative y encoding of a rate in [0, 1], labelled in percent. */
export function percentY(field: string, title: string | readonly string[]): Record<string, unknown> {
  return {
    field,
    type: 'quantitative',
    title,
    scale: { domain: [0, 1], nice: false },
    axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 1] },
  };
}

/**
 * Ticks of an update axis: about six multiples of a whole step, and always the last update
 * (the multiple just before it is dropped when the two labels would crowd).
 */
export function updateTicks(lastModel: number): number[] {
  const last = Math.max(1, Math.round(lastModel));
  const k = Math.ceil(last / 6);
  const ticks: number[] = [];
  for (let t = 0; t < last; t += k) if (last - t >= k / 2 || t === 0) ticks.push(t);
  return [...ticks, last];
}

/** An x encoding of model indices whose axis ends at the last update (no padding past it). */
export function updatesX(field: string, lastModel: number): Record<string, unknown> {
  return {
    field,
    type: 'quantitative',
    title: 'model update (0 = F0)',
    scale: { domain: [0, Math.max(1, lastModel)], nice: false, zero: true },
    // The ticks are chosen here, so none is hidden; format 'd' would drop some of them.
    axis: { values: updateTicks(lastModel), format: '.0f', labelOverlap: false },
  };
}

/** One datum: a layer drawn once, not once per row of the figure's data. */
export const ONE_ROW = { values: [{}] };

/** The dashed gamma rule and its label "γ = 0.5" at the right end of the axis. */
export function gammaLayers(gamma: number, lastModel: number): Record<string, unknown>[] {
  return [
    {
      data: ONE_ROW,
      mark: { type: 'rule', strokeDash: [3, 3], color: '#555', strokeWidth: 1 },
      encoding: { y: { datum: gamma } },
    },
    {
      data: ONE_ROW,
      mark: {
        type: 'text',
        text: `γ = ${gamma}`,
        align: 'right',
        baseline: 'bottom',
        dx: -3,
        dy: -2,
        fontSize: 10,
        color: '#333',
      },
      encoding: { x: { datum: Math.max(1, lastModel) }, y: { datum: gamma } },
    },
  ];
}

export interface DodgeInput {
  readonly panel?: string;
  readonly series: string;
  readonly x: number;
  readonly mean: number;
}

export interface DodgeOptions {
  /** Two points closer than this on the y axis (in data units) coincide. */
  readonly tolerance: number;
  /** The x distance between neighbouring offset series (data units; a factor on a log axis). */
  readonly step: number;
  readonly log?: boolean;
}

/**
 * Sideways offsets that keep coinciding series visible. Two series of a panel coincide when
 * their means are within `tolerance` at some shared x; each group of series linked that way
 * is spread symmetrically around the true x, the whole series shifted alike so that its line
 * keeps its shape. Returns the plotted x of every row, in input order; series that coincide
 * with none keep their x.
 */
export function dodgeCoinciding(rows: readonly DodgeInput[], options: DodgeOptions): number[] {
  const offsets = new Map<string, number>();
  const panels = new Map<string, DodgeInput[]>();
  for (const r of rows) panels.set(r.panel ?? '', [...(panels.get(r.panel ?? '') ?? []), r]);
  for (const [panel, list] of panels) {
    const series = [...new Set(list.map((r) => r.series))];
    const at = new Map(series.map((s) => [s, new Map<number, number>()]));
    for (const r of list) at.get(r.series)?.set(r.x, r.mean);
    // Union-find over series linked by a coinciding point.
    const parent = series.map((_, i) => i);
    const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
    for (let a = 0; a < series.length; a++)
      for (let b = a + 1; b < series.length; b++) {
        const pa = at.get(series[a]) ?? new Map<number, number>();
        const pb = at.get(series[b]) ?? new Map<number, number>();
        const meets = [...pa].some(([x, y]) => {
          const other = pb.get(x);
          return other !== undefined && Math.abs(other - y) <= options.tolerance;
        });
        if (meets) parent[root(b)] = root(a);
      }
    const groups = new Map<number, string[]>();
    series.forEach((s, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), s]));
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      members.forEach((s, i) => offsets.set(`${panel}\u0000${s}`, i - (members.length - 1) / 2));
    }
  }
  return rows.map((r) => {
    const slot = offsets.get(`${r.panel ?? ''}\u0000${r.series}`) ?? 0;
    return options.log ? r.x * options.step ** slot : r.x + slot * options.step;
  });
}

/** The caption of a timeline figure: what the line, the band, the rule and the offsets mean. */
export function timelineCaption(seeds: number, gamma: number | null, dodged: boolean): string {
  const lines =
    seeds > 1
      ? `Lines: mean over ${seedsLabel(seeds)}; band: ±1 std over the ${seedsLabel(seeds)}`
      : 'Lines: 1 seed, so no band';
  const rule = gamma !== null ? `; dashed grey rule: γ = ${gamma}, the survivability threshold` : '';
  const offset = dodged ? '; series that coincide are drawn slightly apart sideways so both show' : '';
  return `${lines}${rule}${offset}.`;
}

/**
 * Breaks a caption into lines at most `width` long at spaces (figure subtitles): `measure`
 * gives a text's length, its characters by default. A word longer than `width` keeps a line.
 */
export function wrapLines(
  text: string,
  width: number,
  measure: (text: string) => number = (t) => t.length,
): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && measure(`${line} ${word}`) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
