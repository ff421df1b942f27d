import type { ExperimentConfig } from '../experiment/config.ts';
import { lastPoisonedModel } from '../experiment/config.ts';
import type { SeedResult } from '../experiment/runner.ts';
import { meanStd } from '../metrics/statistics.ts';
import { survivability } from '../metrics/survivability.ts';
import { describeSchedule } from '../train/schedules.ts';
import { canonicalJson } from '../experiment/config-hash.ts';
import { attackLabel } from './figures.ts';
import type { ExperimentData } from './load.ts';

/**
 * Survivability of the static F0's backdoor on the same drifted test sets: how many updates
 * after the last poisoned model the unchanged F0 still answers the trigger above gamma.
 * When it falls as early as the updated model's, the drift broke the trigger itself and the
 * decay is not forgetting. Null for clean runs, for runs without a static baseline, and
 * when the last poisoned model is not F0 (the static F0 never saw that poison).
 */
export function staticSurvivability(config: ExperimentConfig, seed: SeedResult): number | null {
  const last = lastPoisonedModel(config);
  if (last !== 0 || seed.static.length === 0) return null;
  const after = seed.static.filter((s) => s.driftStep > 0).map((s) => s.asr ?? 0);
  return survivability(after, config.gamma, config.horizon);
}

/** The interpolations the rotations of a config use ('nearest' when none is recorded). */
const interpolationOf = (c: ExperimentConfig): string =>
  c.drift
    .filter((d) => d.kind === 'rotate')
    .map((d) => d.interpolation ?? 'nearest')
    .join('+');

export interface InterpolationRow {
  readonly cell: string;
  readonly interpolation: string;
  readonly seeds: number;
  readonly survivability: readonly number[];
  readonly staticSurvivability: readonly (number | null)[];
  /** Mean ASR of the updated model at F5, F10, F14 (null past the run's end or for clean runs). */
  readonly asrAt: Readonly<Record<5 | 10 | 14, number | null>>;
  readonly finalAccuracy: number;
}

/**
 * Pairs of cells that differ only in the rotation's interpolation, side by side: the
 * sensitivity of every reported number to a choice the paper leaves open.
 */
export function interpolationRows(experiments: readonly ExperimentData[]): InterpolationRow[] {
  const groups = new Map<string, ExperimentData[]>();
  for (const e of experiments) {
    if (!e.results || interpolationOf(e.config) === '') continue;
    const { name: _n, seeds: _s, ...rest } = e.config;
    const key = canonicalJson({ ...rest, drift: rest.drift.map((d) => ({ kind: d.kind, step: d.step })) });
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const rows: InterpolationRow[] = [];
  for (const group of groups.values()) {
    if (new Set(group.map((e) => interpolationOf(e.config))).size < 2) continue;
    for (const e of group.sort((a, b) =>
      interpolationOf(a.config).localeCompare(interpolationOf(b.config)),
    )) {
      const c = e.config;
      const seeds = e.results?.seeds ?? [];
      const models = e.results?.summary.models ?? [];
      const asr = (i: 5 | 10 | 14): number | null => models[i]?.asr?.mean ?? null;
      rows.push({
        cell: `${c.attack ? attackLabel(c.attack) : 'clean'}, ${c.injection.mode}, ${describeSchedule(c.update.schedule)}`,
        interpolation: interpolationOf(c),
        seeds: seeds.length,
        survivability: seeds.map((s) => s.survivability ?? 0),
        staticSurvivability: seeds.map((s) => staticSurvivability(c, s)),
        asrAt: { 5: asr(5), 10: asr(10), 14: asr(14) },
        finalAccuracy: models[models.length - 1]?.cleanAccuracy.mean ?? Number.NaN,
      });
    }
  }
  return rows.sort((a, b) => a.cell.localeCompare(b.cell) || a.interpolation.localeCompare(b.interpolation));
}

export function interpolationTable(rows: readonly InterpolationRow[]): string {
  const pct = (v: number | null): string => (v === null ? '-' : `${(100 * v).toFixed(1)}`);
  const band = (values: readonly number[]): string => {
    const { mean, std } = meanStd(values);
    return values.length > 1 ? `${mean.toFixed(1)} ± ${std.toFixed(1)}` : mean.toFixed(1);
  };
  const lines = [
    '| cell | rotation | seeds | survivability (per seed) | static F0 survivability | ASR F5 / F10 / F14 % | acc. after last % |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const statics = r.staticSurvivability.filter((v): v is number => v !== null);
    lines.push(
      `| ${r.cell} | ${r.interpolation} | ${r.seeds} | ${band(r.survivability)} (${r.survivability.join(', ')}) | ` +
        `${statics.length > 0 ? statics.join(', ') : '-'} | ${pct(r.asrAt[5])} / ${pct(r.asrAt[10])} / ${pct(r.asrAt[14])} | ${pct(r.finalAccuracy)} |`,
    );
  }
  return lines.join('\n');
}
