import './register-gradients.ts';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import { NativeNet } from '../backend/native-net/native-net.ts';
import { createRng, permutation, type Rng } from '../rng.ts';
import { batchTensors } from './batches.ts';
import { learningRate, type ScheduleSpec } from './schedules.ts';
import { DEFAULT_SGD, SgdMomentum, type SgdOptions } from './sgd.ts';

export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
}

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly schedule: ScheduleSpec;
  /** Seeds the batch order. */
  readonly seed: number | string;
  readonly sgd?: SgdOptions;
  /** Called every `progressEvery` steps and at the last step. */
  readonly onProgress?: (progress: TrainProgress) => void;
  readonly progressEvery?: number;
  readonly signal?: AbortSignal;
}

export interface TrainReport {
  readonly steps: number;
  /** Mean loss over the last epoch (NaN if training diverged). */
  readonly loss: number;
  readonly diverged: boolean;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** Steps of one training call: every epoch covers the data once, the last batch may be short. */
/**
 * The batch order of a training call: one Fisher-Yates permutation of the data per epoch,
 * drawn in turn from this stream (the PyTorch twin in crosscheck/ replays the same orders).
 */
export function batchOrderRng(seed: number | string): Rng {
  return createRng(`batches:${seed}`);
}

export function stepsPerRun(count: number, batchSize: number, epochs: number): number {
  return Math.ceil(count / batchSize) * epochs;
}

/**
 * Trains `model` in place on `data` with SGD-momentum and the given schedule: F0 training
 * and every fine-tuning update go through here. Momentum buffers are fresh per call
 * (docs/experiments.md). Stops early, reporting `diverged`, when the loss becomes NaN or
 * infinite. On the fast path each step is one native call (sim/backend/native-net/), else
 * tfjs ops; both compute the same step (test/backend/native-net.test.ts).
 */
export async function train(model: Model, data: ImageSet, options: TrainOptions): Promise<TrainReport> {
  const started = performance.now();
  const rng = batchOrderRng(options.seed);
  const sgd = options.sgd ?? DEFAULT_SGD;
  const optimizer = new SgdMomentum(sgd);
  const native = NativeNet.forModel(model);
  const perEpoch = Math.ceil(data.count / options.batchSize);
  const totalSteps = perEpoch * options.epochs;
  const progressEvery = options.progressEvery ?? Math.max(1, Math.floor(totalSteps / 50));
  let step = 0;
  let samples = 0;
  let epochLoss = 0;
  let diverged = false;
  try {
    for (let epoch = 0; epoch < options.epochs && !diverged; epoch++) {
      const order = permutation(data.count, rng);
      const losses: (tf.Scalar | number)[] = [];
      for (let from = 0; from < data.count; from += options.batchSize) {
        options.signal?.throwIfAborted();
        const lr = learningRate(options.schedule, step, totalSteps);
        const to = Math.min(from + options.batchSize, data.count);
        losses.push(
          native
            ? native.trainStep(data.images, data.labels, order.subarray(from, to), lr, sgd)
            : trainStep(model, optimizer, data, order, from, to, lr),
        );
        step++;
        samples += Math.min(options.batchSize, data.count - from);
        const report = step % progressEvery === 0 || step === totalSteps;
        if (report || losses.length >= 16) {
          // Reading a loss waits for the backend; batch the reads to keep it busy.
          const recent = await readLosses(losses.splice(0));
          epochLoss += recent.sum;
          if (!Number.isFinite(recent.last)) {
            diverged = true;
            break;
          }
          if (report) options.onProgress?.({ step, totalSteps, epoch, loss: recent.last, lr });
        }
      }
      const rest = await readLosses(losses.splice(0));
      epochLoss += rest.sum;
      if (rest.count > 0 && !Number.isFinite(rest.last)) diverged = true;
      if (epoch < options.epochs - 1 && !diverged) epochLoss = 0;
    }
  } finally {
    optimizer.dispose();
    native?.store();
    native?.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    steps: step,
    loss: diverged ? Number.NaN : epochLoss / perEpoch,
    diverged,
    seconds,
    samplesPerSecond: samples / Math.max(seconds, 1e-9),
  };
}

function trainStep(
  model: Model,
  optimizer: SgdMomentum,
  data: ImageSet,
  order: Int32Array,
  from: number,
  to: number,
  lr: number,
): tf.Scalar {
  return tf.tidy(() => {
    const { x, labels } = batchTensors(data, order, from, to);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), model.spec.numClasses);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(onehot, model.apply(x, true)) as tf.Scalar,
      [...model.trainable.values()],
    );
    optimizer.step(model.trainable, grads, lr);
    return value;
  });
}

async function readLosses(
  losses: (tf.Scalar | number)[],
): Promise<{ sum: number; last: number; count: number }> {
  if (losses.length === 0) return { sum: 0, last: 0, count: 0 };
  const scalars = losses.filter((l): l is tf.Scalar => typeof l !== 'number');
  let values: Iterable<number> & ArrayLike<number> = losses as number[];
  if (scalars.length > 0) {
    if (scalars.length !== losses.length) throw new Error('readLosses: mixed native and tfjs losses');
    const stacked = tf.stack(scalars);
    values = (await stacked.data()) as Float32Array;
    stacked.dispose();
    for (const l of scalars) l.dispose();
  }
  let sum = 0;
  for (const v of values) sum += v;
  return { sum, last: values[values.length - 1], count: values.length };
}
