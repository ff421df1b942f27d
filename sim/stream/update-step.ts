/**
 * One step of the protocol on one experience: poison its training data per the poison
 * sources, fine-tune the model on it, evaluate the result on the experience's drifted clean
 * and triggered test sets. The offline runner (sim/experiment/runner.ts) and the live loop's
 * training worker (services/worker/simulation.ts) both call `updateStep`, so the same seed
 * gives the same model and the same numbers in both.
 */
import { poisonSet, triggeredTestSet, type Trigger } from '../attacks/index.ts';
import type { ImageSet } from '../data/image-set.ts';
import { labelHistogram, matchRate, predictLabels } from '../metrics/evaluate.ts';
import type { Model } from '../models/index.ts';
import { createRng } from '../rng.ts';
import type { ScheduleSpec } from '../train/schedules.ts';
import { train, type TrainProgress, type TrainReport } from '../train/trainer.ts';
import type { Experience } from './experience.ts';

/** Poison injected into an experience: an experiment's attack, or a live campaign. */
export interface PoisonSource {
  readonly name: string;
  readonly trigger: Trigger;
  /** Share of the training images replaced by triggered, relabelled ones. */
  readonly ratio: number;
  readonly target: number;
  /** Picks the poisoned images: `poison:<seed>:<experience index>`. */
  readonly seed: number;
}

/** A trigger whose ASR is measured (the attacker's, known to the simulator only). */
export interface Probe {
  readonly name: string;
  readonly trigger: Trigger;
  readonly target: number;
}

export interface StepTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly schedule: ScheduleSpec;
}

export interface Evaluation {
  readonly cleanAccuracy: number;
  /** Share of the test predictions per class. */
  readonly labelShares: number[];
  /** ASR per probe name, on the drifted-then-triggered non-target test images. */
  readonly asr: Record<string, number>;
}

export interface StepResult {
  readonly train: TrainReport;
  /** Images replaced by poison (all sources). */
  readonly poisoned: number;
  readonly images: number;
  readonly evaluation: Evaluation;
}

export interface StepOptions {
  readonly training: StepTraining;
  readonly poison: readonly PoisonSource[];
  readonly probes: readonly Probe[];
  /** The run's seed: batch order `<seed>:<experience index>`. */
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TrainProgress) => void;
}

/**
 * How a source that cannot be applied is named in the error (its poison does not fit the
 * experience): the live loop reads the name back to fail that campaign alone.
 */
export const POISON_SOURCE_ERROR = /^poison source (\S+): /;

/** The experience's training data with every source's poison applied in order. */
export function poisonedTrainData(
  experience: Experience,
  sources: readonly PoisonSource[],
): { set: ImageSet; poisoned: number } {
  let set = experience.train;
  let poisoned = 0;
  for (const source of sources) {
    let result: ReturnType<typeof poisonSet>;
    try {
      result = poisonSet(set, source.trigger, {
        ratio: source.ratio,
        target: source.target,
        rng: createRng(`poison:${source.seed}:${experience.index}`),
      });
    } catch (err) {
      throw new Error(`poison source ${source.name}: ${(err as Error).message}`);
    }
    set = result.set;
    poisoned += result.poisoned.length;
  }
  return { set, poisoned };
}

/** Trains `model` in place on the (poisoned) experience; the report says if it diverged. */
export async function trainOn(
  model: Model,
  experience: Experience,
  options: Omit<StepOptions, 'probes'>,
): Promise<{ train: TrainReport; poisoned: number; images: number }> {
  const { set, poisoned } = poisonedTrainData(experience, options.poison);
  const report = await train(model, set, {
    ...options.training,
    seed: `${options.seed}:${experience.index}`,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { train: report, poisoned, images: set.count };
}

/** Clean accuracy, output shares and each probe's ASR on the experience's test sets. */
export async function evaluateOn(
  model: Model,
  test: ImageSet,
  probes: readonly Probe[],
): Promise<Evaluation> {
  const predicted = await predictLabels(model, test);
  const asr: Record<string, number> = {};
  for (const probe of probes) {
    // Drift first, then stamp: the attacker triggers an input of today's distribution (docs/experiments.md).
    const triggered = triggeredTestSet(test, probe.trigger, probe.target);
    asr[probe.name] = matchRate(await predictLabels(model, triggered), triggered.labels);
  }
  return {
    cleanAccuracy: matchRate(predicted, test.labels),
    labelShares: labelHistogram(predicted, test.numClasses),
    asr,
  };
}

/** Poison, fine-tune and evaluate one experience; a diverged run is returned, not thrown. */
export async function updateStep(
  model: Model,
  experience: Experience,
  options: StepOptions,
): Promise<StepResult> {
  const trained = await trainOn(model, experience, options);
  return { ...trained, evaluation: await evaluateOn(model, experience.test, options.probes) };
}
