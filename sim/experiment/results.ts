import { stringify } from 'csv-stringify/sync';
import { meanStd, type Band } from '../metrics/statistics.ts';
import type { ExperimentConfig } from './config.ts';
import type { SeedResult } from './runner.ts';

export type { Band };

export interface ModelSummary {
  readonly index: number;
  readonly cleanAccuracy: Band;
  readonly asr: Band | null;
  readonly staticAccuracy: Band | null;
  readonly staticAsr: Band | null;
}

export interface ExperimentResults {
  readonly format: 1;
  readonly config: ExperimentConfig;
  readonly backend: string;
  readonly seeds: readonly SeedResult[];
  readonly summary: {
    readonly models: readonly ModelSummary[];
    readonly survivability: Band | null;
    readonly stepsPerUpdate: number;
    /** Seeds whose freshly poisoned model missed the paper's 99% ASR bar. */
    readonly ineffectiveSeeds: readonly number[];
  };
  readonly wallSeconds: number;
}

const band = (values: number[]): Band => meanStd(values);

/** Mean and standard deviation over seeds, per model index. */
export function aggregate(
  config: ExperimentConfig,
  seeds: readonly SeedResult[],
  backend: string,
  wallSeconds: number,
): ExperimentResults {
  const sorted = [...seeds].sort((a, b) => a.seed - b.seed);
  const models: ModelSummary[] = [];
  for (let index = 0; index <= config.updates; index++) {
    const at = sorted.map((s) => s.models[index]).filter((m) => m !== undefined);
    const stat = sorted.map((s) => s.static[index]).filter((m) => m !== undefined);
    models.push({
      index,
      cleanAccuracy: band(at.map((m) => m.cleanAccuracy)),
      asr: at.every((m) => m.asr !== null) && at.length > 0 ? band(at.map((m) => m.asr as number)) : null,
      staticAccuracy: stat.length > 0 ? band(stat.map((m) => m.cleanAccuracy)) : null,
      staticAsr:
        stat.length > 0 && stat.every((m) => m.asr !== null) ? band(stat.map((m) => m.asr as number)) : null,
    });
  }
  const surv = sorted.map((s) => s.survivability).filter((v): v is number => v !== null);
  return {
    format: 1,
    config,
    backend,
    seeds: sorted,
    summary: {
      models,
      survivability: surv.length > 0 ? band(surv) : null,
      stepsPerUpdate: sorted[0]?.stepsPerUpdate ?? 0,
      ineffectiveSeeds: sorted.filter((s) => s.injectionEffective === false).map((s) => s.seed),
    },
    wallSeconds,
  };
}

/** One row per seed and model: the long format spreadsheets and pandas like. */
export function resultsCsv(results: ExperimentResults): string {
  const columns = [
    'seed',
    'model',
    'drift_step',
    'poisoned',
    'clean_accuracy',
    'asr',
    'static_accuracy',
    'static_asr',
    'train_steps',
    'train_seconds',
  ];
  const rows = results.seeds.flatMap((s) =>
    s.models.map((m) => {
      const st = s.static[m.index];
      return [
        s.seed,
        m.index,
        m.driftStep,
        m.poisoned ? 1 : 0,
        fmt(m.cleanAccuracy),
        fmt(m.asr),
        fmt(st?.cleanAccuracy ?? null),
        fmt(st?.asr ?? null),
        m.train.steps,
        m.train.seconds.toFixed(2),
      ];
    }),
  );
  return stringify(rows, { header: true, columns });
}

function fmt(v: number | null): string {
  return v === null ? '' : v.toFixed(4);
}

/** The part of results.json (or of seed results) that holds the scans. */
export type StoredSeeds = readonly {
  readonly seed: number;
  readonly models: readonly { index: number; inspections?: Readonly<Record<string, unknown>> }[];
}[];

/** One scan that `run --scan` stored in results.json. */
export interface StoredScanIndex {
  readonly model: number;
  readonly seed: number;
  /** Inspection name: nc, tabor, nc@0.5 ... */
  readonly scan: string;
  readonly index: number;
  readonly flagged: boolean;
}

/** Every stored scan with a finite index, by seed, model and inspection, in stored order. */
export function storedScans(seeds: StoredSeeds): StoredScanIndex[] {
  return seeds.flatMap((s) =>
    s.models.flatMap((m) =>
      Object.entries(m.inspections ?? {}).flatMap(([scan, value]) => {
        const stored = value as { modelIndex?: unknown; flagged?: unknown } | null;
        const index = stored?.modelIndex;
        return typeof index === 'number' && Number.isFinite(index)
          ? [{ model: m.index, seed: s.seed, scan, index, flagged: stored?.flagged === true }]
          : [];
      }),
    ),
  );
}
