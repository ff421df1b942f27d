import { resolveAttack } from '../attacks/index.ts';
import {
  experimentConfigSchema,
  parseExperimentConfig,
  type ExperimentConfig,
} from '../experiment/config.ts';
import { meanStd } from '../metrics/statistics.ts';
import { axisValue } from '../sweep/axes.ts';
import { canonicalJson } from '../experiment/config-hash.ts';
import { datasetShape } from '../data/shape.ts';
import { deepMerge, type SweepSpec } from '../sweep/spec.ts';
import type { ExperimentData } from './load.ts';
import type { TimelineRow } from './specs.ts';

/**
 * Fig. 2 shows the sweep's reference cells: the base config with each attack at its
 * default visibility, injected in D0 or D1. Fig. 10 is the static F0 of those cells.
 */
export function referenceExperiments(
  spec: SweepSpec,
  experiments: readonly ExperimentData[],
): ExperimentData[] {
  const defaults = experimentConfigSchema.parse({}) as Record<string, unknown>;
  const shorthand = Object.fromEntries(Object.entries(spec.base).map(([k, v]) => [k, axisValue(k, v)]));
  const base = parseExperimentConfig(deepMerge(defaults, shorthand));
  const key = (c: ExperimentConfig): string => {
    const { attack: _a, injection: _i, name: _n, seeds: _s, staticBaseline: _b, ...rest } = c;
    return canonicalJson(rest);
  };
  const baseKey = key(base);
  return experiments.filter((e) => {
    const c = e.config;
    if (!e.results || key(c) !== baseKey || c.injection.mode === 'persistent') return false;
    if (!c.attack) return true;
    const defaultAttack = resolveAttack({ kind: c.attack.kind }, datasetShape(c.dataset));
    return canonicalJson(defaultAttack) === canonicalJson(c.attack);
  });
}

/** ASR per attack and the clean accuracy pooled over all attacks' seeds, per injection mode. */
export function asrTimelineRows(reference: readonly ExperimentData[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const panels = new Map<string, ExperimentData[]>();
  for (const e of reference) {
    const panel = `inject ${e.config.injection.mode.toUpperCase()}`;
    panels.set(panel, [...(panels.get(panel) ?? []), e]);
  }
  for (const [panel, list] of panels) {
    const models = Math.max(...list.map((e) => e.config.updates)) + 1;
    for (let m = 0; m < models; m++) {
      const acc = list.flatMap((e) =>
        e.jobs.map((j) => j.result.models[m]?.cleanAccuracy).filter((v) => v !== undefined),
      );
      if (acc.length > 0) rows.push({ panel, series: 'clean accuracy (all)', model: m, ...meanStd(acc) });
    }
    for (const e of list) {
      if (!e.config.attack || !e.results) continue;
      for (const s of e.results.summary.models) {
        if (s.asr) rows.push({ panel, series: `${e.config.attack.kind} ASR`, model: s.index, ...s.asr });
      }
    }
  }
  return rows;
}

/** The static F0 (never updated) on each drifted test set, pooled over the reference cells. */
export function staticRows(reference: readonly ExperimentData[]): TimelineRow[] {
  const withStatic = reference.filter((e) => e.jobs.some((j) => j.result.static.length > 0));
  if (withStatic.length === 0) return [];
  const rows: TimelineRow[] = [];
  const steps = Math.max(...withStatic.map((e) => e.config.updates)) + 1;
  const panel = `${withStatic[0].config.dataset}, drift ${withStatic[0].config.drift.map((d) => `${d.kind}:${d.step}`).join('+')}`;
  for (let step = 0; step < steps; step++) {
    const acc = withStatic.flatMap((e) =>
      e.jobs.map((j) => j.result.static[step]?.cleanAccuracy).filter((v) => v !== undefined),
    );
    const upd = withStatic.flatMap((e) =>
      e.jobs.map((j) => j.result.models[step]?.cleanAccuracy).filter((v) => v !== undefined),
    );
    if (acc.length > 0) rows.push({ panel, series: 'static F0 accuracy', model: step, ...meanStd(acc) });
    if (upd.length > 0) rows.push({ panel, series: 'updated model accuracy', model: step, ...meanStd(upd) });
  }
  return rows;
}
