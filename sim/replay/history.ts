/**
 * Reading a recorded live history for replay. The registry is reached through the small
 * HistorySource interface (services/registry/history-source.ts implements it for the
 * filesystem and S3 stores), so the replay engine stays in sim/. Every check happens here,
 * before anything runs: a missing version, a range that runs backwards, a version without
 * an experience record (it predates recording: not replayable, not guessed) or with a
 * corrupt one is a ReplayInputError.
 */
import { z } from 'zod';
import { decodeRecord, type ExperienceRecord } from './record.ts';

/** One stored version as a registry hands it over, its files' checksums verified. */
export interface StoredVersion {
  readonly version: number;
  readonly step: number;
  readonly parentVersion: number | null;
  readonly status: 'candidate' | 'rejected';
  /** experience.json, or undefined for a version written before recording existed. */
  readonly experience: Uint8Array | undefined;
  readonly metrics: Readonly<Record<string, unknown>>;
  readonly model: Uint8Array;
}

export interface HistorySource {
  /** Complete versions of the model, ascending. */
  versions(name: string): Promise<number[]>;
  /** One version, verified against its manifest (throws if a file is missing or altered). */
  version(name: string, version: number): Promise<StoredVersion>;
}

/** Bad input: the CLI exits 2 and the API answers 4xx; nothing is written. */
export class ReplayInputError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 422 = 400,
  ) {
    super(message);
  }
}

export interface ReplayVersion {
  readonly version: number;
  readonly step: number;
  readonly parentVersion: number | null;
  readonly status: 'candidate' | 'rejected';
  readonly record: ExperienceRecord;
  /** What the live loop measured on this version (metrics.json). */
  readonly recorded: {
    readonly cleanAccuracy: number | null;
    readonly asr: Readonly<Record<string, number>>;
  };
}

export interface ReplayHistory {
  readonly name: string;
  readonly versions: readonly ReplayVersion[];
  /** Stored weights of the parents outside the range, by version. */
  readonly bases: ReadonlyMap<number, Uint8Array>;
}

export interface ReplayRange {
  readonly from: number;
  /** Default: the latest version. */
  readonly to?: number;
}

const recordedEvaluation = z.object({
  evaluation: z
    .object({ cleanAccuracy: z.number(), asr: z.record(z.string(), z.number()) })
    .passthrough()
    .optional(),
});

/** The versions a replay of `range` reads: the range itself and the parents it starts from. */
export function referencedVersions(history: ReplayHistory): number[] {
  return [...new Set([...history.versions.map((v) => v.version), ...history.bases.keys()])].sort(
    (a, b) => a - b,
  );
}

export async function loadHistory(
  source: HistorySource,
  name: string,
  range: ReplayRange,
): Promise<ReplayHistory> {
  const all = await source.versions(name);
  if (all.length === 0) throw new ReplayInputError(`model ${name} has no versions`, 404);
  const to = range.to ?? all[all.length - 1];
  for (const v of [range.from, to])
    if (!all.includes(v)) throw new ReplayInputError(`${name} v${v} does not exist`, 404);
  if (to < range.from) throw new ReplayInputError(`the range v${range.from}..v${to} runs backwards`);
  const read = async (v: number): Promise<StoredVersion> => {
    try {
      return await source.version(name, v);
    } catch (err) {
      throw new ReplayInputError(`${name} v${v} cannot be read: ${(err as Error).message}`, 422);
    }
  };
  const versions: ReplayVersion[] = [];
  const inRange = new Set<number>();
  for (const v of all.filter((n) => n >= range.from && n <= to)) {
    const stored = await read(v);
    if (!stored.experience)
      throw new ReplayInputError(
        `${name} v${v} has no experience record (written before recording existed): it cannot be replayed`,
        422,
      );
    let record: ExperienceRecord;
    try {
      record = decodeRecord(stored.experience, `${name} v${v}`);
    } catch (err) {
      throw new ReplayInputError((err as Error).message, 422);
    }
    if (record.step !== stored.step || record.parentVersion !== stored.parentVersion)
      throw new ReplayInputError(`${name} v${v}: experience.json disagrees with the manifest`, 422);
    const metrics = recordedEvaluation.safeParse(stored.metrics);
    const evaluation = metrics.success ? metrics.data.evaluation : undefined;
    versions.push({
      version: v,
      step: stored.step,
      parentVersion: stored.parentVersion,
      status: stored.status,
      record,
      recorded: { cleanAccuracy: evaluation?.cleanAccuracy ?? null, asr: evaluation?.asr ?? {} },
    });
    inRange.add(v);
  }
  const bases = new Map<number, Uint8Array>();
  for (const v of versions) {
    const parent = v.parentVersion;
    if (parent === null || inRange.has(parent) || bases.has(parent)) continue;
    if (!all.includes(parent))
      throw new ReplayInputError(`${name} v${v.version}: its parent v${parent} does not exist`, 422);
    bases.set(parent, (await read(parent)).model);
  }
  return { name, versions, bases };
}
