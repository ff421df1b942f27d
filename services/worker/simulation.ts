/**
 * The simulator work of the live loop, run inside the training worker: the same drift
 * stream and the same `updateStep` as `permanence run` (sim/stream/), with the operator's
 * campaigns as the poison sources. With the experiment's seed, the whole pool per update
 * and the whole test set, a cycle reproduces the offline run's model.
 */
import { createTrigger, seededAttack, type Trigger } from '../../sim/attacks/index.ts';
import type { ImageSet } from '../../sim/data/image-set.ts';
import { loadDataset } from '../../sim/data/registry.ts';
import {
  createModel,
  defaultModelSpec,
  deserializeModel,
  serializeModel,
  type Model,
} from '../../sim/models/index.ts';
import { createRng, permutation } from '../../sim/rng.ts';
import { subset } from '../../sim/data/image-set.ts';
import { DriftStream } from '../../sim/stream/experience.ts';
import {
  evaluateOn,
  updateStep,
  type PoisonSource,
  type Probe,
  type StepTraining,
} from '../../sim/stream/update-step.ts';
import type { TrainProgress } from '../../sim/train/trainer.ts';
import type { Evaluation, KnownTrigger, ModelResult, PoisonOrder, WorkerSetup } from './protocol.ts';

export class Simulation {
  private readonly stream: DriftStream;
  private readonly triggers = new Map<string, Trigger>();
  readonly shape: { height: number; width: number; channels: number; numClasses: number };

  constructor(readonly setup: WorkerSetup) {
    const data = loadDataset(setup.dataset, setup.seed);
    this.shape = { ...data.shape, numClasses: data.numClasses };
    this.stream = new DriftStream({
      split: data,
      drift: setup.drift,
      seed: setup.seed,
      poolSubset: setup.poolSubset,
      testSubset: setup.evalSubset,
      cachedTestSets: 1,
    });
  }

  /** F0: a fresh model trained on D0 (experience 0), poisoned by the campaigns already injecting. */
  async trainInitial(
    training: StepTraining,
    poison: readonly PoisonOrder[],
    triggers: readonly KnownTrigger[],
    onProgress: (p: TrainProgress) => void,
  ): Promise<ModelResult> {
    const s = this.setup;
    const model = createModel(defaultModelSpec(s.arch, this.shape, this.shape.numClasses), s.seed);
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
      const baseAccuracy = (await evaluateOn(model, this.stream.testSet(step), [])).cleanAccuracy;
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
        this.stream.testSet(step),
        triggers.map((t) => this.probe(t)),
      );
      return { step, ...e, seconds: (performance.now() - started) / 1000 };
    } finally {
      model.dispose();
    }
  }

  /** Clean images of the current drift, for scans. */
  cleanImages(step: number, count: number): ImageSet {
    const set = this.stream.testSet(step);
    return subset(
      set,
      permutation(set.count, createRng(`scan:${step}`)).subarray(0, Math.min(count, set.count)),
    );
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
    const r = await updateStep(model, this.stream.experience(index), {
      training,
      poison: poison.map((o) => this.source(o)),
      probes: triggers.map((t) => this.probe(t)),
      seed: this.setup.seed,
      onProgress,
    });
    const { steps, loss, diverged, seconds } = r.train;
    return {
      model: serializeModel(model),
      train: { steps, loss, diverged, seconds, poisoned: r.poisoned, images: r.images },
      // Evaluation time: the step's wall time less the training.
      evaluation: { step: index, ...r.evaluation, seconds: (performance.now() - started) / 1000 - seconds },
    };
  }

  private source(order: PoisonOrder): PoisonSource {
    return { ...this.probe(order), ratio: order.ratio, seed: order.seed };
  }

  private probe(t: KnownTrigger): Probe {
    let trigger = this.triggers.get(t.campaign);
    if (!trigger) {
      trigger = createTrigger(seededAttack(t.trigger, t.seed), this.shape);
      this.triggers.set(t.campaign, trigger);
    }
    return { name: t.campaign, trigger, target: t.target };
  }
}
