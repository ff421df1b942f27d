/**
 * Neural Cleanse's trigger reverse-engineering for every label at once. The labels' masks
 * and patterns are stacked ([A, H, W, 1] and [A, H, W, C], A = labels still running), each
 * label stamps the same batch of clean images, and one forward/backward pass serves them
 * all: the total loss is a sum of per-label losses, so each label's gradient (and Adam,
 * which is elementwise) sees only its own loss. Gradients flow to the trigger only; the
 * model's weights are constants here. A label that early-stops leaves the stack.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../train/register-gradients.ts';
import { imageSize, type ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import { createRng, permutation, type Rng } from '../rng.ts';
import { initialCostState, stepCost, type CostState } from './cost-schedule.ts';
import { groupedCrossEntropy } from './regularisers.ts';
import type { ExtraLoss, LabelTrigger, ScanOptions } from './types.ts';

/** tanh-space parametrisation (NC): value = tanh(w) / (2 - eps) + 0.5 stays inside (0, 1). */
const TANH_EPS = 1e-7;
const ADAM_EPS = 1e-7;

interface LabelState {
  readonly label: number;
  cost: CostState;
  best: { norm: number; asr: number; mask: Float32Array; pattern: Float32Array } | null;
  last: { norm: number; asr: number; mask: Float32Array; pattern: Float32Array } | null;
  steps: number;
  epochs: number;
}

/** The optimised tensors of the labels still running, row a = labels[a]. */
interface Stack {
  labels: number[];
  maskW: tf.Tensor4D;
  patternW: tf.Tensor4D;
  m: [tf.Tensor4D, tf.Tensor4D];
  v: [tf.Tensor4D, tf.Tensor4D];
}

export class ScanAbortedError extends Error {
  constructor() {
    super('scan aborted');
    this.name = 'AbortError';
  }
}

export function toUnit(w: tf.Tensor): tf.Tensor {
  return tf.add(tf.div(tf.tanh(w), 2 - TANH_EPS), 0.5);
}

/**
 * The full-size mask [A, H, W, 1] from its parameters [A, ceil(H/u), ceil(W/u), 1]: each
 * parameter covers a u x u block (NC's `upsample_size`; u = 1 is one per pixel).
 */
export function upsampleMask(coarse: tf.Tensor4D, u: number, height: number, width: number): tf.Tensor4D {
  if (u === 1) return coarse;
  const [a, hs, ws] = coarse.shape;
  const blocks = tf.mul(tf.reshape(coarse, [a, hs, 1, ws, 1]), tf.ones([1, 1, u, 1, u]));
  const full = tf.reshape(blocks, [a, hs * u, ws * u, 1]) as tf.Tensor4D;
  return hs * u === height && ws * u === width ? full : tf.slice(full, [0, 0, 0, 0], [a, height, width, 1]);
}

async function readUnit(
  w: tf.Tensor,
  toFull: (unit: tf.Tensor4D) => tf.Tensor = (x) => x,
): Promise<Float32Array> {
  const unit = tf.tidy(() => toFull(toUnit(w) as tf.Tensor4D));
  try {
    return (await unit.data()) as Float32Array;
  } finally {
    unit.dispose();
  }
}

function fromUnit(values: Float32Array): Float32Array {
  return values.map((v) => Math.atanh((v - 0.5) * (2 - TANH_EPS)));
}

function randomUnit(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next();
  return out;
}

/** Draws `count` images of `set` (seeded; all of them if it holds fewer). */
export function sampleImages(
  set: ImageSet,
  count: number,
  rng: Rng,
): { images: Float32Array; labels: Int32Array } {
  const n = Math.min(count, set.count);
  const order = permutation(set.count, rng).subarray(0, n);
  const size = imageSize(set);
  const images = new Float32Array(n * size);
  const labels = new Int32Array(n);
  order.forEach((j, i) => {
    images.set(set.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = set.labels[j];
  });
  return { images, labels };
}

/**
 * Reverse-engineers one trigger per label: minimise CE(f((1-m) x + m P), t) + cost_t |m|_1
 * (+ the defense's extra terms), NC's adaptive cost and early stop per label, and keep the
 * smallest-norm mask whose epoch ASR met the threshold.
 */
export async function reverseEngineer(
  model: Model,
  clean: ImageSet,
  options: ScanOptions,
  extraLoss?: ExtraLoss,
): Promise<LabelTrigger[]> {
  const { height: h, width: w, channels: c } = clean;
  const labels = [...(options.labels ?? Array.from({ length: model.spec.numClasses }, (_, i) => i))];
  const rng = createRng(`scan:${options.seed}`);
  const sample = sampleImages(clean, options.samples, rng.fork('sample'));
  const n = sample.labels.length;
  const batch = Math.min(options.batchSize, n);
  const stepsPerEpoch = Math.ceil(n / batch);
  const states = labels.map<LabelState>((label) => ({
    label,
    cost: initialCostState(),
    best: null,
    last: null,
    steps: 0,
    epochs: 0,
  }));
  const initRng = rng.fork('init');
  const u = options.maskUpsample;
  const [hs, ws] = [Math.ceil(h / u), Math.ceil(w / u)];
  const fullMask = (unit: tf.Tensor4D) => upsampleMask(unit, u, h, w);
  const xAll = tf.tensor4d(sample.images, [n, h, w, c]);
  const yAll = tf.tensor1d(sample.labels, 'int32');
  let stack: Stack = tf.tidy(() => {
    const a = labels.length;
    const maskW = tf.tensor4d(fromUnit(randomUnit(a * hs * ws, initRng)), [a, hs, ws, 1]);
    const patternW = tf.tensor4d(fromUnit(randomUnit(a * h * w * c, initRng)), [a, h, w, c]);
    const zeros = (): [tf.Tensor4D, tf.Tensor4D] => [tf.zerosLike(maskW), tf.zerosLike(patternW)];
    return { labels, maskW, patternW, m: zeros(), v: zeros() };
  });
  const logitsOf = (x: tf.Tensor4D): tf.Tensor2D => model.apply(x, false);
  let t = 0;
  try {
    for (let epoch = 0; epoch < options.maxEpochs && stack.labels.length > 0; epoch++) {
      const a = stack.labels.length;
      const hits = new Float64Array(a);
      const order = permutation(n, rng);
      for (let from = 0; from < n; from += batch) {
        if (options.signal?.aborted) throw new ScanAbortedError();
        const idx = order.subarray(from, Math.min(from + batch, n));
        t++;
        const { next, hitCounts } = optimiserStep(
          stack,
          xAll,
          yAll,
          idx,
          states,
          options,
          t,
          logitsOf,
          extraLoss,
          model,
          fullMask,
        );
        disposeStack(stack);
        stack = next;
        hitCounts.forEach((count, i) => (hits[i] += count));
        // Yield so a caller's AbortController (or progress output) gets a turn.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const masks = await readUnit(stack.maskW, fullMask);
      const patterns = await readUnit(stack.patternW);
      const finished = new Set<number>();
      stack.labels.forEach((label, i) => {
        const state = states.find((s) => s.label === label) as LabelState;
        const mask = masks.slice(i * h * w, (i + 1) * h * w);
        const pattern = patterns.slice(i * h * w * c, (i + 1) * h * w * c);
        const norm = mask.reduce((sum, x) => sum + x, 0);
        const asr = hits[i] / n;
        state.steps += stepsPerEpoch;
        state.epochs++;
        state.last = { norm, asr, mask, pattern };
        const reached = asr >= options.threshold;
        if (reached && norm < (state.best?.norm ?? Number.POSITIVE_INFINITY)) state.best = state.last;
        state.cost = stepCost(
          state.cost,
          reached,
          state.best?.norm ?? Number.POSITIVE_INFINITY,
          options.cost,
        );
        if (state.cost.stop) finished.add(label);
      });
      options.onEpoch?.(epoch, stack.labels);
      if (finished.size > 0) {
        const keep = stack.labels.flatMap((label, i) => (finished.has(label) ? [] : [i]));
        const next = compact(stack, keep);
        disposeStack(stack);
        stack = next;
      }
    }
  } finally {
    disposeStack(stack);
    xAll.dispose();
    yAll.dispose();
  }
  return states.map((s) => {
    const chosen = s.best ?? s.last;
    if (!chosen) throw new Error('reverseEngineer: no epoch ran (maxEpochs must be at least 1)');
    return {
      label: s.label,
      norm: chosen.norm,
      asr: chosen.asr,
      metThreshold: s.best !== null,
      steps: s.steps,
      epochs: s.epochs,
      mask: chosen.mask,
      pattern: chosen.pattern,
    };
  });
}

/** One Adam step on every running label; returns the new stack and each label's hits. */
function optimiserStep(
  stack: Stack,
  xAll: tf.Tensor4D,
  yAll: tf.Tensor1D,
  idx: Int32Array,
  states: readonly LabelState[],
  options: ScanOptions,
  t: number,
  logitsOf: (x: tf.Tensor4D) => tf.Tensor2D,
  extraLoss: ExtraLoss | undefined,
  model: Model,
  fullMask: (unit: tf.Tensor4D) => tf.Tensor4D,
): { next: Stack; hitCounts: Int32Array } {
  const a = stack.labels.length;
  const [, h, w, c] = xAll.shape;
  const costs = stack.labels.map((label) => (states.find((s) => s.label === label) as LabelState).cost.cost);
  let hitsKept: tf.Tensor | null = null;
  const next = tf.tidy(() => {
    const indices = tf.tensor1d(idx, 'int32');
    const x = tf.gather(xAll, indices) as tf.Tensor4D;
    const trueLabels = tf.gather(yAll, indices) as tf.Tensor1D;
    const b = idx.length;
    const targets = tf.tensor1d(stack.labels, 'int32');
    const rowTargets = tf.reshape(tf.tile(tf.reshape(targets, [a, 1]), [1, b]), [a * b]) as tf.Tensor1D;
    const costT = tf.tensor1d(costs);
    const loss = (maskW: tf.Tensor, patternW: tf.Tensor): tf.Scalar => {
      const mask = fullMask(toUnit(maskW) as tf.Tensor4D);
      const pattern = toUnit(patternW) as tf.Tensor4D;
      const m5 = tf.reshape(mask, [a, 1, h, w, 1]);
      const stamped = tf.add(
        tf.mul(tf.sub(1, m5), tf.reshape(x, [1, b, h, w, c])),
        tf.mul(m5, tf.reshape(pattern, [a, 1, h, w, c])),
      );
      const logits = logitsOf(tf.reshape(stamped, [a * b, h, w, c]) as tf.Tensor4D);
      const predicted = tf.argMax(tf.reshape(logits, [a, b, -1]), 2);
      hitsKept = tf.keep(tf.sum(tf.cast(tf.equal(predicted, tf.reshape(targets, [a, 1])), 'int32'), 1));
      const l1 = tf.sum(tf.reshape(mask, [a, -1]), 1);
      let perLabel = tf.add(groupedCrossEntropy(logits, rowTargets, a), tf.mul(costT, l1));
      if (extraLoss) {
        perLabel = tf.add(perLabel, extraLoss({ model, logitsOf, mask, pattern, x, trueLabels, targets }));
      }
      return tf.sum(perLabel);
    };
    const { grads } = tf.valueAndGrads(loss)([stack.maskW, stack.patternW]);
    const { beta1, beta2, lr } = options;
    const params = [stack.maskW, stack.patternW];
    const m = params.map((_, i) => tf.add(tf.mul(stack.m[i], beta1), tf.mul(grads[i], 1 - beta1)));
    const v = params.map((_, i) => tf.add(tf.mul(stack.v[i], beta2), tf.mul(tf.square(grads[i]), 1 - beta2)));
    // Adam with bias correction folded into the step size (as Keras and tf.train.adam do).
    const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const updated = params.map((p, i) =>
      tf.sub(p, tf.mul(tf.div(m[i], tf.add(tf.sqrt(v[i]), ADAM_EPS)), stepSize)),
    );
    return {
      labels: stack.labels,
      maskW: updated[0] as tf.Tensor4D,
      patternW: updated[1] as tf.Tensor4D,
      m: [m[0], m[1]] as [tf.Tensor4D, tf.Tensor4D],
      v: [v[0], v[1]] as [tf.Tensor4D, tf.Tensor4D],
    };
  });
  const kept = hitsKept as tf.Tensor | null;
  if (!kept) throw new Error('reverseEngineer: loss did not run');
  const hitCounts = Int32Array.from(kept.dataSync());
  kept.dispose();
  return { next, hitCounts };
}

/** The stack restricted to rows `keep`. */
function compact(stack: Stack, keep: number[]): Stack {
  const [maskW, patternW, m0, m1, v0, v1] = tf.tidy(() => {
    const rows = tf.tensor1d(keep, 'int32');
    return [stack.maskW, stack.patternW, ...stack.m, ...stack.v].map(
      (x) => tf.gather(x, rows) as tf.Tensor4D,
    );
  });
  return { labels: keep.map((i) => stack.labels[i]), maskW, patternW, m: [m0, m1], v: [v0, v1] };
}

function disposeStack(stack: Stack): void {
  tf.dispose([stack.maskW, stack.patternW, ...stack.m, ...stack.v]);
}
