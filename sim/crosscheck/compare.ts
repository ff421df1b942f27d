import { z } from 'zod';
import { lastPoisonedModel, type ExperimentConfig } from '../experiment/config.ts';
import { mean, meanAbsDifference } from '../metrics/statistics.ts';
import { survivability } from '../metrics/survivability.ts';

/** One model of one implementation's timeline. */
export const sideModelSchema = z.object({
  index: z.number().int(),
  cleanAccuracy: z.number(),
  asr: z.number().nullable(),
});
export type SideModel = z.infer<typeof sideModelSchema>;

export const sideSchema = z.object({
  /** 'permanence (wasm)', 'torch 1.13.0 (2 threads)'. */
  label: z.string(),
  models: z.array(sideModelSchema),
  survivability: z.number().nullable(),
  seconds: z.number(),
});
export type Side = z.infer<typeof sideSchema>;

/** The result file of one (experiment, seed) job under docs/results/crosscheck/jobs/. */
export const jobResultSchema = z.object({
  format: z.literal(1),
  job: z.string(),
  experiment: z.string(),
  attack: z.string(),
  schedule: z.string(),
  seed: z.number().int(),
  config: z.record(z.unknown()),
  permanence: sideSchema,
  twin: sideSchema,
  /** The twin again with another torch thread count: the float-noise floor. */
  twinNoise: sideSchema.nullable(),
  machine: z.string(),
  finishedAt: z.string(),
});
export type JobResult = z.infer<typeof jobResultSchema>;

/** gamma-survivability of a timeline, from the ASR of the models after the last poisoned one. */
export function timelineSurvivability(config: ExperimentConfig, models: readonly SideModel[]): number | null {
  const last = lastPoisonedModel(config);
  if (last === null) return null;
  return survivability(
    models.slice(last + 1).map((m) => m.asr ?? 0),
    config.gamma,
    config.horizon,
  );
}

/** How far two timelines of one job are apart. */
export interface Gaps {
  /** b - a survivability (updates). */
  readonly survivability: number | null;
  /** Mean |ASR_a - ASR_b| over F1..Fn, in points (0-100). */
  readonly meanAbsAsr: number | null;
  /** |accuracy_a - accuracy_b| of F0, in points. */
  readonly f0Accuracy: number;
  /** Mean |accuracy_a - accuracy_b| over F1..Fn, in points. */
  readonly meanAbsAccuracy: number;
}

export function gaps(a: Side, b: Side): Gaps {
  const later = (s: Side): SideModel[] => s.models.filter((m) => m.index > 0);
  const asrA = later(a).map((m) => m.asr);
  const asrB = later(b).map((m) => m.asr);
  const hasAsr = asrA.every((v) => v !== null) && asrB.every((v) => v !== null) && asrA.length > 0;
  const f0 = (s: Side): number => s.models.find((m) => m.index === 0)?.cleanAccuracy ?? Number.NaN;
  return {
    survivability:
      a.survivability === null || b.survivability === null ? null : b.survivability - a.survivability,
    meanAbsAsr: hasAsr ? 100 * meanAbsDifference(asrA as number[], asrB as number[]) : null,
    f0Accuracy: 100 * Math.abs(f0(a) - f0(b)),
    meanAbsAccuracy:
      100 *
      meanAbsDifference(
        later(a).map((m) => m.cleanAccuracy),
        later(b).map((m) => m.cleanAccuracy),
      ),
  };
}

const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : (100 * v).toFixed(1);
const signed = (v: number): string => {
  const text = v.toFixed(1);
  return text === '-0.0' || text === '0.0' ? '0.0' : `${v > 0 ? '+' : ''}${text}`;
};

/** Per model, accuracy and ASR of both sides and the differences (twin - Permanence), in points. */
export function jobTable(job: JobResult): string {
  const lines = [
    `| model | acc. Permanence | acc. torch | Δ acc. | ASR Permanence | ASR torch | Δ ASR |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
  ];
  for (const p of job.permanence.models) {
    const t = job.twin.models.find((m) => m.index === p.index);
    if (!t) continue;
    const dAsr = p.asr === null || t.asr === null ? '-' : signed(100 * (t.asr - p.asr));
    lines.push(
      `| F${p.index} | ${pct(p.cleanAccuracy)} | ${pct(t.cleanAccuracy)} | ${signed(100 * (t.cleanAccuracy - p.cleanAccuracy))} | ${pct(p.asr)} | ${pct(t.asr)} | ${dAsr} |`,
    );
  }
  lines.push(
    '',
    `survivability: Permanence ${job.permanence.survivability ?? '-'}, torch ${job.twin.survivability ?? '-'}` +
      (job.twinNoise ? `, torch again (${job.twinNoise.label}) ${job.twinNoise.survivability ?? '-'}` : ''),
  );
  return lines.join('\n');
}

/** The bar of an (attack, schedule) group over its seeds. */
export interface GroupSummary {
  readonly attack: string;
  readonly schedule: string;
  readonly seeds: readonly number[];
  readonly survivability: { readonly permanence: number[]; readonly torch: number[] };
  readonly meanSurvivabilityGap: number;
  readonly maxSeedSurvivabilityGap: number;
  readonly meanAbsAsr: number | null;
  readonly f0AccuracyGap: number;
  readonly meanAbsAccuracy: number;
  /** The same three numbers between the twin's two thread counts, where measured. */
  readonly noise: {
    readonly seeds: number;
    readonly maxSurvivabilityGap: number;
    readonly meanAbsAsr: number | null;
  } | null;
  readonly pass: { readonly survivability: boolean; readonly asr: boolean; readonly f0Accuracy: boolean };
}

/**
 * The bar: mean survivability within 1 update over the seeds (each seed within 2), mean
 * absolute ASR difference over F1..F15 at most 5 points, F0 accuracy within 0.5 points
 * (mean over seeds).
 */
export function summariseGroups(jobs: readonly JobResult[]): GroupSummary[] {
  const groups = new Map<string, JobResult[]>();
  for (const job of jobs) {
    const key = `${job.attack}\u0000${job.schedule}\u0000${job.experiment}`;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return [...groups.values()].map((list) => {
    const sorted = [...list].sort((a, b) => a.seed - b.seed);
    const g = sorted.map((j) => gaps(j.permanence, j.twin));
    const sp = sorted.map((j) => j.permanence.survivability ?? Number.NaN);
    const st = sorted.map((j) => j.twin.survivability ?? Number.NaN);
    const asr = g.map((x) => x.meanAbsAsr).filter((v): v is number => v !== null);
    const noisy = sorted.filter((j) => j.twinNoise !== null);
    const ng = noisy.map((j) => gaps(j.twin, j.twinNoise as Side));
    const nAsr = ng.map((x) => x.meanAbsAsr).filter((v): v is number => v !== null);
    const meanSurvivabilityGap = Math.abs(mean(st) - mean(sp));
    const maxSeedSurvivabilityGap = Math.max(...g.map((x) => Math.abs(x.survivability ?? Number.NaN)));
    const meanAbsAsr = asr.length > 0 ? mean(asr) : null;
    const f0AccuracyGap =
      Math.abs(
        mean(sorted.map((j) => j.twin.models[0]?.cleanAccuracy ?? Number.NaN)) -
          mean(sorted.map((j) => j.permanence.models[0]?.cleanAccuracy ?? Number.NaN)),
      ) * 100;
    return {
      attack: sorted[0].attack,
      schedule: sorted[0].schedule,
      seeds: sorted.map((j) => j.seed),
      survivability: { permanence: sp, torch: st },
      meanSurvivabilityGap,
      maxSeedSurvivabilityGap,
      meanAbsAsr,
      f0AccuracyGap,
      meanAbsAccuracy: mean(g.map((x) => x.meanAbsAccuracy)),
      noise:
        noisy.length === 0
          ? null
          : {
              seeds: noisy.length,
              maxSurvivabilityGap: Math.max(...ng.map((x) => Math.abs(x.survivability ?? Number.NaN))),
              meanAbsAsr: nAsr.length > 0 ? mean(nAsr) : null,
            },
      pass: {
        survivability: meanSurvivabilityGap <= 1 && maxSeedSurvivabilityGap <= 2,
        asr: meanAbsAsr === null || meanAbsAsr <= 5,
        f0Accuracy: f0AccuracyGap <= 0.5,
      },
    };
  });
}

/** The markdown table of every finished job, grouped by attack and schedule. */
export function summaryMarkdown(groups: readonly GroupSummary[]): string {
  const yes = (b: boolean): string => (b ? 'yes' : '**no**');
  const lines = [
    '| attack | update schedule | seeds | survivability Permanence | survivability torch | mean gap (≤ 1) | max seed gap (≤ 2) | mean abs. ASR diff. F1.. (≤ 5 pts) | F0 acc. diff. (≤ 0.5 pts) | mean abs. acc. diff. F1.. | torch thread noise (surv. gap, ASR pts) | bar met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const g of groups) {
    const noise = g.noise
      ? `${g.noise.maxSurvivabilityGap}, ${g.noise.meanAbsAsr?.toFixed(2) ?? '-'} (${g.noise.seeds} seed${g.noise.seeds > 1 ? 's' : ''})`
      : '-';
    const bar = g.pass.survivability && g.pass.asr && g.pass.f0Accuracy;
    lines.push(
      `| ${g.attack} | ${g.schedule} | ${g.seeds.join(', ')} | ${g.survivability.permanence.join(', ')} (mean ${mean(g.survivability.permanence).toFixed(2)}) | ${g.survivability.torch.join(', ')} (mean ${mean(g.survivability.torch).toFixed(2)}) | ${g.meanSurvivabilityGap.toFixed(2)} | ${g.maxSeedSurvivabilityGap} | ${g.meanAbsAsr?.toFixed(2) ?? '-'} | ${g.f0AccuracyGap.toFixed(2)} | ${g.meanAbsAccuracy.toFixed(2)} | ${noise} | ${yes(bar)}${g.seeds.length < 3 ? ` (${g.seeds.length} of 3 seeds)` : ''} |`,
    );
  }
  return lines.join('\n');
}
