/**
 * The experience record of a registry version: everything needed to re-run the update that
 * made it (docs/replay.md). The live loop writes it as experience.json inside the version's
 * atomic write; replay reads it back. The batches are not stored as indices but as the
 * recipe that reproduces them: the drift stream draws the pool subset from
 * `pool:<data seed>:<step>`, the batch order from `<data seed>:<step>` and each campaign's
 * poisoned images from `poison:<campaign seed>:<step>` (sim/stream/).
 */
import { z } from 'zod';
import { attackConfigSchema } from '../attacks/index.ts';
import { isDatasetName, type DatasetName } from '../data/registry.ts';
import { parseDrift } from '../drift/index.ts';
import { defenseNameSchema } from '../defenses/registry.ts';
import { architectureSchema } from '../models/index.ts';
import { describeSchedule, parseSchedule } from '../train/schedules.ts';

const nonNegative = z.number().int().nonnegative();

const scheduleText = z.string().refine((s) => {
  try {
    return describeSchedule(parseSchedule(s)) === s;
  } catch {
    return false;
  }
}, 'not a normalised schedule (sgd:<lr> or stlr:<max>:<cut>)');

/** A trigger whose ASR is measured on the version (a live campaign). */
export const probeRecordSchema = z.object({
  campaign: z.string().min(1),
  trigger: attackConfigSchema,
  target: nonNegative,
  /** Seeds the trigger itself (Blend key, WaNet field). */
  seed: nonNegative,
});
export type ProbeRecord = z.infer<typeof probeRecordSchema>;

/** A campaign's poison in the update: the images are drawn from `poison:<seed>:<step>`. */
export const poisonRecordSchema = probeRecordSchema.extend({ ratio: z.number().gt(0).max(1) });
export type PoisonRecord = z.infer<typeof poisonRecordSchema>;

export const experienceRecordSchema = z.object({
  format: z.literal(1),
  /** initial: F0 trained from a seeded init on D0; update: a fine-tune of the parent. */
  kind: z.enum(['initial', 'update']),
  parentVersion: z.number().int().positive().nullable(),
  /** The drift step of the experience (0 = D0). */
  step: nonNegative,
  /** The drift stream: data set split, drift, subsets (the seed also orders the batches). */
  data: z.object({
    dataset: z.string().refine(isDatasetName, 'unknown data set'),
    seed: nonNegative,
    drift: z.string().refine((s) => {
      try {
        parseDrift(s);
        return true;
      } catch {
        return false;
      }
    }, 'not a drift'),
    poolSubset: z.number().int().positive(),
    evalSubset: z.number().int().positive(),
  }),
  /** The reproducing recipes of the batches, for a reader (replay derives them from `data`). */
  batches: z.object({ pool: z.string(), order: z.string() }),
  model: z.object({ arch: architectureSchema }),
  training: z.object({
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    schedule: scheduleText,
  }),
  poison: z.array(poisonRecordSchema),
  probes: z.array(probeRecordSchema),
  /** The scan budget of the service, so an observable policy scans as it would have. */
  scan: z.object({
    defense: defenseNameSchema,
    subset: z.number().int().positive(),
    maxEpochs: z.number().int().positive(),
  }),
  /** The training backend (bit-exact replay needs the same one). */
  backend: z.string(),
  code: z.object({ version: z.string(), commit: z.string().nullable() }),
});
export type ExperienceRecord = z.infer<typeof experienceRecordSchema>;

/** The recipes the drift stream uses for an experience (sim/stream/experience.ts, trainer.ts). */
export function batchRecipes(seed: number, step: number): ExperienceRecord['batches'] {
  return { pool: `pool:${seed}:${step}`, order: `${seed}:${step}` };
}

/** The data set name of a record, typed. */
export function recordDataset(record: ExperienceRecord): DatasetName {
  return record.data.dataset as DatasetName;
}

export function encodeRecord(record: ExperienceRecord): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(experienceRecordSchema.parse(record), null, 2)}\n`);
}

export class CorruptRecordError extends Error {}

/** Parses experience.json; a bad document throws CorruptRecordError naming the field. */
export function decodeRecord(bytes: Uint8Array, where: string): ExperienceRecord {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CorruptRecordError(`${where}: experience.json is not JSON`);
  }
  const parsed = experienceRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptRecordError(`${where}: experience.json: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
