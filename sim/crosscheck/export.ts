import { createTrigger, poisonSet, type Trigger } from '../attacks/index.ts';
import { blendKey } from '../attacks/blend.ts';
import { patchOrigin } from '../attacks/badnets.ts';
import { subset, type ImageSet } from '../data/image-set.ts';
import { loadMnist } from '../data/mnist.ts';
import { DEFAULT_SPLITS } from '../data/registry.ts';
import type { SplitSizes } from '../data/split.ts';
import type { DriftSpec } from '../drift/index.ts';
import { applyDrift } from '../drift/index.ts';
import { isPoisoned, type ExperimentConfig } from '../experiment/config.ts';
import { createModel, defaultModelSpec } from '../models/index.ts';
import { createRng, permutation } from '../rng.ts';
import type { ScheduleSpec } from '../train/schedules.ts';
import { DEFAULT_SGD, type SgdOptions } from '../train/sgd.ts';
import { batchOrderRng } from '../train/trainer.ts';
import { torchStateDict, type TorchStateDict } from './torch-layout.ts';

/** The trigger as plain data: enough for another implementation to stamp the same pixels. */
export type TwinTrigger =
  | {
      readonly kind: 'badnets';
      readonly size: number;
      readonly value: number;
      readonly row: number;
      readonly col: number;
    }
  | { readonly kind: 'blend'; readonly alpha: number; readonly key: number[] };

/** One call of the trainer (F0 or an update) with everything that determines it. */
export interface TwinTraining {
  readonly index: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly schedule: ScheduleSpec;
  /** Positions in the pool drawn for this update (null: the whole pool, or D0 for F0). */
  readonly poolSubset: number[] | null;
  /** Positions in the (drifted) training set replaced by triggered images labelled target. */
  readonly poisoned: number[] | null;
  /** The permutation of the training set of each epoch, in order. */
  readonly orders: number[][];
}

/**
 * What one seed of an experiment consumes, exported for the PyTorch twin
 * (crosscheck/twin.py): indices into loadMnist's fixed order, the trigger, initial weights
 * in torch layouts, every training call's batch order, and the specs the twin computes
 * the rest from (drift, schedules, evaluation).
 */
export interface TwinInputs {
  readonly seed: number;
  readonly mnistDigitsDir: string;
  readonly split: { readonly d0: number[]; readonly pool: number[]; readonly test: number[] };
  readonly target: number;
  readonly trigger: TwinTrigger | null;
  readonly drift: readonly DriftSpec[];
  readonly sgd: SgdOptions;
  readonly model: { readonly channels: readonly [number, number]; readonly logitScale: number };
  readonly initialWeights: TorchStateDict;
  readonly trainings: readonly TwinTraining[];
}

/**
 * Re-derives, through the same seeded streams as runSeed (split, model, pool, poison,
 * batches), what an experiment's seed consumes; test/crosscheck checks it against the
 * sets the runner builds. MNIST and the small CNN only (the twin's scope).
 */
export function exportTwinInputs(
  config: ExperimentConfig,
  seed: number,
  options: { readonly mnistDigitsDir: string; readonly sizes?: SplitSizes },
): TwinInputs {
  if (config.dataset !== 'mnist' || config.model !== 'small-cnn') {
    throw new Error('the PyTorch twin covers MNIST with the small CNN only');
  }
  const mnist = loadMnist();
  // Smaller sizes (CI scale) cut the same permutation shorter, as splitDataset does.
  const sizes = options.sizes ?? DEFAULT_SPLITS.mnist;
  const order = Array.from(permutation(mnist.count, createRng(`split:${seed}`)));
  const split = {
    d0: order.slice(0, sizes.d0),
    pool: order.slice(sizes.d0, sizes.d0 + sizes.pool),
    test: order.slice(sizes.d0 + sizes.pool, sizes.d0 + sizes.pool + sizes.test),
  };
  const shape = { height: mnist.height, width: mnist.width, channels: mnist.channels };
  const trigger = config.attack ? createTrigger(config.attack, shape) : null;
  const spec = defaultModelSpec(config.model, shape, mnist.numClasses, {
    widthMultiplier: config.widthMultiplier,
  });
  const model = createModel(spec, seed);
  let initialWeights: TorchStateDict;
  try {
    initialWeights = torchStateDict(model);
  } finally {
    model.dispose();
  }
  const d0 = subset(mnist, split.d0);
  const pool = subset(mnist, split.pool);
  const trainings: TwinTraining[] = [];
  for (let index = 0; index <= config.updates; index++) {
    const training = index === 0 ? config.f0 : config.update;
    const poolSubset =
      index > 0 && config.poolSubset && config.poolSubset < pool.count
        ? Array.from(
            permutation(pool.count, createRng(`pool:${seed}:${index}`)).subarray(0, config.poolSubset),
          )
        : null;
    const count = index === 0 ? d0.count : (poolSubset?.length ?? pool.count);
    let poisoned: number[] | null = null;
    if (isPoisoned(config, index) && trigger) {
      const base = index === 0 ? d0 : poolSubset ? subset(pool, poolSubset) : pool;
      // The runner poisons the drifted set; the choice depends on labels only, which drift keeps.
      const data: ImageSet = index === 0 ? base : applyDrift(base, config.drift, index);
      poisoned = Array.from(
        poisonSet(data, trigger, {
          ratio: config.poisonRatio,
          target: config.target,
          rng: createRng(`poison:${seed}:${index}`),
        }).poisoned,
      );
    }
    const rng = batchOrderRng(`${seed}:${index}`);
    const orders = Array.from({ length: training.epochs }, () => Array.from(permutation(count, rng)));
    trainings.push({
      index,
      epochs: training.epochs,
      batchSize: training.batchSize,
      schedule: training.schedule,
      poolSubset,
      poisoned,
      orders,
    });
  }
  const c1 = Math.max(1, Math.round(16 * spec.widthMultiplier));
  const c2 = Math.max(1, Math.round(32 * spec.widthMultiplier));
  return {
    seed,
    mnistDigitsDir: options.mnistDigitsDir,
    split,
    target: config.target,
    trigger: trigger ? twinTrigger(trigger) : null,
    drift: config.drift,
    sgd: DEFAULT_SGD,
    model: { channels: [c1, c2], logitScale: spec.logitScale },
    initialWeights,
    trainings,
  };
}

/** The trigger's parameters as data (BadNets patch, Blend key in HWC order). */
export function twinTrigger(trigger: Trigger): TwinTrigger {
  const config = trigger.config;
  if (config.kind === 'badnets') {
    const size = config.size ?? 3;
    const { row, col } = patchOrigin(trigger.shape, size);
    return { kind: 'badnets', size, value: config.value ?? 1, row, col };
  }
  if (config.kind === 'blend') {
    return {
      kind: 'blend',
      alpha: config.alpha ?? 0.2,
      key: Array.from(blendKey(trigger.shape, config.keySeed ?? 0)),
    };
  }
  throw new Error(`the PyTorch twin has no ${config.kind} trigger`);
}
