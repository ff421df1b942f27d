/**
 * The cycle runner: one update of the served model. The trainer fine-tunes it on the next
 * experience of the drift stream (with the injecting campaigns' poison), the result is saved
 * in the registry, and promoted unless it diverged. Throws on any failure; the served model
 * is the caller's and stays untouched.
 */
import { EXPERIENCE_FILE, MODEL_FILE } from '../../sim/models/version-layout.ts';
import { encodeRecord } from '../../sim/replay/record.ts';
import type { StepTraining } from '../../sim/stream/update-step.ts';
import { parseSchedule } from '../../sim/train/schedules.ts';
import type { Manifest, ModelStore, Pointer } from '../registry/model-store.ts';
import type {
  KnownTrigger,
  ModelResult,
  PoisonOrder,
  Trainer,
  TrainProgressMessage,
} from '../worker/protocol.ts';
import type { Campaign } from './campaigns.ts';
import { experienceRecord, type RecordContext } from './experience-recorder.ts';
import type { Served } from './served-model.ts';

export interface CycleDeps {
  name: string;
  trainer: Pick<Trainer, 'update'>;
  store: Pick<ModelStore, 'saveVersion' | 'promote'>;
  epochs: number;
  batchSize: number;
  /** Reject an update whose clean accuracy falls by more than this below its base's. */
  maxAccuracyDrop: number;
  onProgress: (p: TrainProgressMessage) => void;
  /** Called when training is done and the registry write starts. */
  onSaving: () => void;
  /** What the version's experience record says besides the update itself. */
  recording: RecordContext;
}

export interface CycleInput {
  step: number;
  schedule: string;
  base: Served;
  carried: readonly Campaign[];
  triggers: KnownTrigger[];
}

export interface CycleResult {
  result: ModelResult;
  manifest: Manifest;
  /** Set when the update was promoted (it did not diverge). */
  pointer?: Pointer;
}

export async function runUpdateCycle(d: CycleDeps, input: CycleInput): Promise<CycleResult> {
  const { step, schedule, base, carried } = input;
  const poison = carried.map(poisonOrder);
  const record = experienceRecord(d.recording, {
    kind: 'update',
    parentVersion: base.manifest.version,
    step,
    epochs: d.epochs,
    batchSize: d.batchSize,
    schedule,
    poison,
    triggers: input.triggers,
  });
  const result = await d.trainer.update(
    {
      base: base.bytes.slice(),
      step,
      training: stepTraining(d.epochs, d.batchSize, schedule),
      poison,
      triggers: input.triggers,
    },
    d.onProgress,
  );
  const diverged = isDiverged(result, d.maxAccuracyDrop);
  d.onSaving();
  const manifest = await d.store.saveVersion(d.name, {
    step,
    parentVersion: base.manifest.version,
    schedule,
    status: diverged ? 'rejected' : 'candidate',
    // The record goes into the same atomic version write, so no version exists without it.
    files: { [MODEL_FILE]: result.model, [EXPERIENCE_FILE]: encodeRecord(record) },
    metrics: {
      train: result.train,
      evaluation: result.evaluation,
      baseAccuracy: result.baseAccuracy,
      poison: carried.map((x) => ({
        campaign: x.id,
        attack: x.trigger.kind,
        ratio: x.ratio,
        target: x.target,
      })),
    },
  });
  if (diverged) return { result, manifest };
  return { result, manifest, pointer: await d.store.promote(d.name, manifest.version, step, 'cycle') };
}

export function stepTraining(epochs: number, batchSize: number, schedule: string): StepTraining {
  return { epochs, batchSize, schedule: parseSchedule(schedule) };
}

export function knownTrigger(c: Campaign): KnownTrigger {
  return { campaign: c.id, trigger: c.trigger, target: c.target, seed: c.seed };
}

export function poisonOrder(c: Campaign): PoisonOrder {
  return { ...knownTrigger(c), ratio: c.ratio };
}

/** NaN/infinite loss, or clean accuracy falling by more than `maxDrop` below the base model's. */
export function isDiverged(result: ModelResult, maxDrop: number): boolean {
  if (result.train.diverged || !Number.isFinite(result.train.loss)) return true;
  const acc = result.evaluation.cleanAccuracy;
  if (!Number.isFinite(acc)) return true;
  return result.baseAccuracy !== null && result.baseAccuracy - acc > maxDrop;
}
