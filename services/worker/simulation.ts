/**
 * The simulator work of the live loop, run inside the training worker: the same drift
 * stream and the same `updateStep` as `permanence run` (sim/stream/), with the operator's
 * campaigns as the poison sources. With the experiment's seed, the whole pool per update
 * and the whole test set, a cycle reproduces the offline run's model.
 */
import type { ImageSet } from '../../sim/data/image-set.ts';
import { deserializeModel, serializeModel, type Model } from '../../sim/models/index.ts';
import { LiveStream } from '../../sim/stream/live-stream.ts';
import { evaluateOn, type StepTraining } from '../../sim/stream/update-step.ts';
import type { TrainProgress } from '../../sim/train/trainer.ts';
import type { Evaluation, KnownTrigger, ModelResult, PoisonOrder, WorkerSetup } from './protocol.ts';

export class Simulation {
  private readonly live: LiveStream;
  readonly shape: { height: number; width: number; channels: number; numClasses: number };

  constructor(readonly setup: WorkerSetup) {
    this.live = new LiveStream(setup);
    this.shape = this.live.shape;
  }

  /** F0: a fresh model trained on D0 (experience 0), poisoned by the campaigns already injecting. */
  async trainInitial(
    training: StepTraining,
    poison: readonly PoisonOrder[],
    triggers: readonly KnownTrigger[],
    onProgress: (p: TrainProgress) => void,
  ): Promise<ModelResult> {
    const model = this.live.initialModel();
    try {
      return { ...(await this.step(model, 0, training, poison, triggers, onProgress)), baseAccuracy: null };
    } finally {
      model.dispose();
    }
  }

  /** One update: fine-tune `base` on experience `step`, poisoned per the orders. */
  async update(
    base: Uint8Array,
    step: number,
    training: StepTraining,
    poison: readonly PoisonOrder[],
    triggers: readonly KnownTrigger[],
    onProgress: (p: TrainProgress) => void,
  ): Promise<ModelResult> {
    const model = deserializeModel(base);
    try {
      const baseAccuracy = (await evaluateOn(model, this.live.testSet(step), [])).cleanAccuracy;
      return { ...(await this.step(model, step, training, poison, triggers, onProgress)), baseAccuracy };
    } finally {
      model.dispose();
    }
  }

  async evaluate(bytes: Uint8Array, step: number, triggers: readonly KnownTrigger[]): Promise<Evaluation> {
    const model = deserializeModel(bytes);
    try {
      const started = performance.now();
      const e = await evaluateOn(
        model,
        this.live.testSet(step),
        triggers.map((t) => this.live.probe(t)),
      );
      return { step, ...e, seconds: (performance.now() - started) / 1000 };
    } finally {
      model.dispose();
    }
  }

  /** The clean test set of a drift step (scans sample it). */
  testSet(step: number): ImageSet {
    return this.live.testSet(step);
  }

  private async step(
    model: Model,
    index: number,
    training: StepTraining,
    poison: readonly PoisonOrder[],
    triggers: readonly KnownTrigger[],
    onProgress: (p: TrainProgress) => void,
  ): Promise<Omit<ModelResult, 'baseAccuracy'>> {
    const started = performance.now();
    const r = await this.live.step(model, index, training, poison, triggers, onProgress);
    const { steps, loss, diverged, seconds } = r.train;
    return {
      model: serializeModel(model),
      train: { steps, loss, diverged, seconds, poisoned: r.poisoned, images: r.images },
      // Evaluation time: the step's wall time less the training.
      evaluation: { step: index, ...r.evaluation, seconds: (performance.now() - started) / 1000 - seconds },
    };
  }
}
