import { getAttack } from '../attacks/index.ts';
import type { ExperimentConfig } from '../experiment/config.ts';
import { meanStd } from '../metrics/statistics.ts';
import { describeSchedule } from '../train/schedules.ts';
import { canonicalJson } from '../experiment/config-hash.ts';
import type { ExperimentData } from './load.ts';

/**
 * The paper's "metric vs knob" figures, found in whatever a sweep covers: experiments that
 * differ only in the figure's knob form one line; lines are split into panels and labelled
 * by the fields that tell them apart. A sweep without such pairs simply has no such figure.
 */
export interface FigureDef {
  readonly key: string;
  readonly paper: string;
  readonly title: string;
  readonly finding: string;
  readonly xLabel: string;
  readonly xLog?: boolean;
  readonly metric: 'survivability' | 'finalAccuracy';
  /** The knob's value, or null if the experiment is not on this figure. */
  x(config: ExperimentConfig): number | null;
  /** The config without the knob: experiments equal here are one line. */
  strip(config: ExperimentConfig): Record<string, unknown>;
  panel(config: ExperimentConfig): string;
}

export interface FigurePoint {
  readonly panel: string;
  readonly line: string;
  readonly x: number;
  readonly mean: number;
  readonly std: number;
  readonly seeds: number;
}

export interface FigureData {
  readonly def: FigureDef;
  readonly points: readonly FigurePoint[];
  readonly yMax: number;
}

const oneShot = (c: ExperimentConfig): boolean => c.injection.mode === 'd0' || c.injection.mode === 'd1';
const schedule = (c: ExperimentConfig): string => {
  const s = c.update.schedule;
  return s.kind === 'constant' ? `SGD lr ${s.lr}` : `STLR max ${s.maxLr}`;
};
const injection = (c: ExperimentConfig): string =>
  c.injection.mode === 'persistent'
    ? `persistent ${c.injection.updates}`
    : `inject ${c.injection.mode.toUpperCase()}`;
const omit = (c: ExperimentConfig, ...keys: string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...c };
  for (const k of ['name', 'seeds', 'staticBaseline', ...keys]) delete out[k];
  return out;
};

/** The visibility knob's value of an attack config (docs/data-and-attacks.md), attack defaults already filled in. */
export function visibility(config: ExperimentConfig): number | null {
  if (!config.attack) return null;
  const knob = getAttack(config.attack.kind).visibilityKnob as string;
  const value = (config.attack as unknown as Record<string, unknown>)[knob];
  return typeof value === 'number' ? value : null;
}

export const FIGURES: readonly FigureDef[] = [
  {
    key: 'poison-ratio',
    paper: 'Fig. 3 (SGD), Fig. 8 (STLR)',
    title: 'Survivability vs poison ratio',
    finding: '1, 2: D0 injection outlives D1; a higher ratio is not monotonically better',
    xLabel: 'poison ratio',
    metric: 'survivability',
    x: (c) => (c.attack && oneShot(c) ? c.poisonRatio : null),
    strip: (c) => omit(c, 'poisonRatio'),
    panel: (c) => `${injection(c)} · ${schedule(c)}`,
  },
  {
    key: 'visibility',
    paper: 'Fig. 4 (SGD), Fig. 9 (STLR)',
    title: 'Survivability vs trigger visibility',
    finding:
      '3: more visible triggers (BadNets patch size, Blend alpha, WaNet strength) survive longer; WaNet least',
    xLabel: 'size / alpha / strength',
    metric: 'survivability',
    x: (c) => (oneShot(c) ? visibility(c) : null),
    strip: (c) => ({ ...omit(c, 'attack'), attackKind: c.attack?.kind }),
    panel: (c) => `${c.attack?.kind ?? 'clean'} · ${schedule(c)}`,
  },
  {
    key: 'drift-step',
    paper: 'Fig. 5',
    title: 'Survivability vs drift step',
    finding: '4: a larger drift step speeds forgetting',
    xLabel: 'drift step p per update',
    metric: 'survivability',
    x: (c) => (c.attack && c.drift.length === 1 ? c.drift[0].step : null),
    strip: (c) => ({ ...omit(c, 'drift'), driftKind: c.drift.map((d) => d.kind).join('+') }),
    panel: (c) => `${c.drift.map((d) => d.kind).join('+')} · ${injection(c)}`,
  },
  {
    key: 'learning-rate',
    paper: 'Fig. 6',
    title: 'Survivability vs update learning rate (SGD)',
    finding: '5: a higher lr lowers survivability',
    xLabel: 'update learning rate',
    xLog: true,
    metric: 'survivability',
    x: (c) => (c.attack && c.update.schedule.kind === 'constant' ? c.update.schedule.lr : null),
    strip: (c) => ({ ...omit(c, 'update'), updateRest: { ...c.update, schedule: 'constant' } }),
    panel: (c) => injection(c),
  },
  {
    key: 'learning-rate-accuracy',
    paper: 'Fig. 7',
    title: 'Clean accuracy after the last update vs learning rate (SGD)',
    finding: '5: ... but costs accuracy',
    xLabel: 'update learning rate',
    xLog: true,
    metric: 'finalAccuracy',
    x: (c) => (c.update.schedule.kind === 'constant' ? c.update.schedule.lr : null),
    strip: (c) => ({ ...omit(c, 'update'), updateRest: { ...c.update, schedule: 'constant' } }),
    panel: (c) => injection(c),
  },
  {
    key: 'persistent',
    paper: 'Fig. 11 (SGD), Fig. 12 (STLR)',
    title: 'Survivability vs poisoned updates (D1 = 1, persistent k)',
    finding: '7: persistent poisoning usually survives longer; with STLR it stays at 0',
    xLabel: 'poisoned updates',
    metric: 'survivability',
    x: (c) =>
      !c.attack
        ? null
        : c.injection.mode === 'd1'
          ? 1
          : c.injection.mode === 'persistent'
            ? c.injection.updates
            : null,
    strip: (c) => omit(c, 'injection'),
    panel: (c) => schedule(c),
  },
  {
    key: 'epochs',
    paper: 'Fig. 13',
    title: 'Survivability vs epochs per update',
    finding: 'App. C.3: more epochs reduce survivability a little, at a high cost',
    xLabel: 'epochs per update',
    metric: 'survivability',
    x: (c) => (c.attack ? c.update.epochs : null),
    strip: (c) => ({ ...omit(c, 'update'), updateRest: { ...c.update, epochs: 0 } }),
    panel: (c) => `${injection(c)} · ${schedule(c)}`,
  },
];

/** Builds a figure's points from the experiments; null if no line has two x values. */
export function figureData(def: FigureDef, experiments: readonly ExperimentData[]): FigureData | null {
  const lines = new Map<string, { panel: string; sample: ExperimentConfig; points: Map<number, number[]> }>();
  for (const e of experiments) {
    const x = e.results ? def.x(e.config) : null;
    if (x === null || !e.results) continue;
    const key = canonicalJson(def.strip(e.config));
    const line = lines.get(key) ?? { panel: def.panel(e.config), sample: e.config, points: new Map() };
    line.points.set(x, metricValues(def, e));
    lines.set(key, line);
  }
  const kept = [...lines.values()].filter((l) => l.points.size >= 2);
  if (kept.length === 0) return null;
  const labels = lineLabels(
    def,
    kept.map((l) => l.sample),
  );
  const points: FigurePoint[] = kept.flatMap((l, i) =>
    [...l.points].map(([x, values]) => ({
      panel: l.panel,
      line: labels[i],
      x,
      ...meanStd(values),
      seeds: values.length,
    })),
  );
  const yMax =
    def.metric === 'finalAccuracy'
      ? 1
      : Math.max(1, ...kept.map((l) => Math.min(l.sample.horizon, l.sample.updates)));
  return { def, points, yMax };
}

function metricValues(def: FigureDef, e: ExperimentData): number[] {
  if (def.metric === 'finalAccuracy')
    return e.jobs.map((j) => j.result.models[j.result.models.length - 1].cleanAccuracy);
  return e.jobs.map((j) => j.result.survivability).filter((v): v is number => v !== null);
}

/**
 * Labels each line by the config fields that differ between the lines of its panel
 * (attack, injection, ...), in plain words; a panel's only line is named by its attack.
 */
export function lineLabels(def: FigureDef, samples: readonly ExperimentConfig[]): string[] {
  const flat = samples.map((c) =>
    describe(def.strip(c) as Partial<ExperimentConfig> & Record<string, unknown>),
  );
  const panels = samples.map((c) => def.panel(c));
  return flat.map((f, i) => {
    const peers = flat.filter((_, j) => panels[j] === panels[i]);
    const varying = Object.keys(f).filter((k) => new Set(peers.map((p) => p[k])).size > 1);
    const parts = varying.length > 0 ? varying.map((k) => f[k]) : [f.attack ?? 'all'];
    return parts.join(' · ');
  });
}

/** A few readable fields of a (possibly stripped) config. */
function describe(c: Partial<ExperimentConfig> & Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  if ('dataset' in c) out.dataset = String(c.dataset);
  if ('model' in c) out.model = String(c.model);
  if ('attackKind' in c) out.attack = String(c.attackKind);
  if ('attack' in c) out.attack = c.attack ? attackLabel(c.attack) : 'clean';
  if (c.injection) out.injection = injection(c as ExperimentConfig);
  if ('poisonRatio' in c) out.ratio = `ratio ${c.poisonRatio}`;
  if (c.drift)
    out.drift = c.drift
      .map(
        (d) =>
          `${d.kind}:${d.step}${d.interpolation && d.interpolation !== 'nearest' ? `:${d.interpolation}` : ''}`,
      )
      .join('+');
  if ('driftKind' in c) out.drift = String(c.driftKind);
  if (c.update) out.update = `${describeSchedule(c.update.schedule)} x${c.update.epochs}`;
  if (c.f0) out.f0 = `F0 ${c.f0.epochs} ep`;
  for (const k of ['updates', 'poolSubset', 'widthMultiplier', 'target', 'gamma'])
    if (k in c) out[k] = `${k} ${String(c[k])}`;
  return out;
}

export function attackLabel(attack: NonNullable<ExperimentConfig['attack']>): string {
  const v = visibility({ attack } as ExperimentConfig);
  const knob = getAttack(attack.kind).visibilityKnob as string;
  return v === null ? attack.kind : `${attack.kind} ${knob}=${v}`;
}
