/**
 * Counterfactual replay (docs/replay.md): re-runs the recorded experiences of a live history
 * under another policy, with the same batches and the same poison, and measures each
 * counterfactual model as the live loop measured the recorded one. Each update starts from
 * the counterfactual model of its recorded parent (or the stored parent, for the first
 * versions of the range), so rejected versions and rollbacks replay as they happened. With
 * the recorded policy on the recorded backend it reproduces the recorded metrics exactly.
 */
import { parseDrift } from '../drift/index.ts';
import { deserializeModel, serializeModel, type Model } from '../models/index.ts';
import { LiveStream } from '../stream/live-stream.ts';
import { scanStep, type ScanOutcome } from '../stream/scan-step.ts';
import { parseSchedule } from '../train/schedules.ts';
import { referencedVersions, type ReplayHistory, type ReplayVersion } from './history.ts';
import {
  INITIAL_POLICY_STATE,
  afterScan,
  afterUpdate,
  describePolicy,
  scheduleFor,
  type ReplayPolicy,
} from './policy.ts';
import { recordDataset, type ExperienceRecord } from './record.ts';
import { defaultCampaign, summarise, type ReplayRow, type ReplaySummary } from './summary.ts';

export interface ReplayProgress {
  /** Versions replayed so far. */
  readonly done: number;
  readonly total: number;
  readonly version: number;
  readonly row: ReplayRow;
}

export interface ReplayOptions {
  readonly policy: ReplayPolicy;
  /** The training backend in use (compared with the recorded ones). */
  readonly backend: string;
  /** The campaign the summary is about (default: the last one poisoning the range). */
  readonly campaign?: string;
  readonly gamma?: number;
  readonly onProgress?: (p: ReplayProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ReplayResult {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly policy: string;
  readonly backend: string;
  /** False when a version was recorded on another backend: the numbers are close, not identical. */
  readonly sameBackend: boolean;
  /** Every version the replay read (retention must keep them while the result is kept). */
  readonly references: readonly number[];
  readonly rows: readonly ReplayRow[];
  readonly summary: ReplaySummary;
  readonly seconds: number;
}

/** The settings a drift stream is built from; versions that share them share one stream. */
function streamKey(r: ExperienceRecord): string {
  return JSON.stringify([r.data, r.model.arch]);
}

export async function replay(history: ReplayHistory, options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const streams = new Map<string, LiveStream>();
  const streamOf = (r: ExperienceRecord): LiveStream => {
    const key = streamKey(r);
    let s = streams.get(key);
    if (!s) {
      s = new LiveStream({
        dataset: recordDataset(r),
        seed: r.data.seed,
        arch: r.model.arch,
        drift: parseDrift(r.data.drift),
        poolSubset: r.data.poolSubset,
        evalSubset: r.data.evalSubset,
      });
      streams.set(key, s);
    }
    return s;
  };
  const weights = new Map<number, Uint8Array>();
  const baseOf = (v: ReplayVersion, live: LiveStream): Model => {
    if (v.record.kind === 'initial' || v.parentVersion === null) return live.initialModel();
    const bytes = weights.get(v.parentVersion) ?? history.bases.get(v.parentVersion);
    if (!bytes) throw new Error(`v${v.version}: no weights for its parent v${v.parentVersion}`);
    return deserializeModel(bytes);
  };
  const { policy } = options;
  let state = INITIAL_POLICY_STATE;
  const rows: ReplayRow[] = [];
  for (const v of history.versions) {
    options.signal?.throwIfAborted();
    const { record } = v;
    const live = streamOf(record);
    const schedule = scheduleFor(
      policy,
      { version: v.version, step: v.step, schedule: record.training.schedule },
      state,
    );
    const model = baseOf(v, live);
    let scan: ScanOutcome | null = null;
    try {
      const result = await live.step(
        model,
        v.step,
        {
          epochs: record.training.epochs,
          batchSize: record.training.batchSize,
          schedule: parseSchedule(schedule),
        },
        record.poison,
        record.probes,
      );
      const diverged = result.train.diverged || !Number.isFinite(result.train.loss);
      weights.set(v.version, serializeModel(model));
      const next = afterUpdate(policy, state, !diverged);
      state = next.state;
      if (next.scan) {
        scan = await scanStep(model, live.testSet(v.step), v.step, record.scan);
        state = afterScan(policy, state, scan.flagged);
      }
      rows.push({
        version: v.version,
        step: v.step,
        parentVersion: v.parentVersion,
        poisoned: record.poison.map((p) => p.campaign),
        recorded: { schedule: record.training.schedule, status: v.status, ...v.recorded },
        counterfactual: {
          schedule,
          cleanAccuracy: result.evaluation.cleanAccuracy,
          asr: result.evaluation.asr,
          diverged,
        },
        scan,
      });
    } finally {
      model.dispose();
    }
    options.onProgress?.({
      done: rows.length,
      total: history.versions.length,
      version: v.version,
      row: rows[rows.length - 1],
    });
  }
  const campaign = options.campaign ?? defaultCampaign(rows);
  return {
    name: history.name,
    from: history.versions[0].version,
    to: history.versions[history.versions.length - 1].version,
    policy: describePolicy(policy),
    backend: options.backend,
    sameBackend: history.versions.every((v) => v.record.backend === options.backend),
    references: referencedVersions(history),
    rows,
    summary: summarise(rows, campaign, options.gamma),
    seconds: (performance.now() - started) / 1000,
  };
}
