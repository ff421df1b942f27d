import type { Rng } from '../rng.ts';
import { distance } from './power-iteration.ts';
import type { SampleSet } from './samples.ts';
import { accuracy, lossAndGradient, type Objective } from './softmax-regression.ts';

/**
 * Step sizes for clean fine-tuning. `inverse-t` is eta_t = 1 / (sigma (t + offset)):
 * offset 0 is the schedule of the paper's Theorem 4.3 and Corollary 4.4; a positive offset
 * keeps its 1/t tail but caps the first step at 1 / (sigma (1 + offset)).
 */
export type StepSchedule =
  | { readonly kind: 'inverse-t'; readonly sigma: number; readonly offset: number }
  | { readonly kind: 'constant'; readonly lr: number };

/** eta_t for step t = 1, 2, ... */
export function stepSize(schedule: StepSchedule, t: number): number {
  if (!(t >= 1)) throw new Error(`steps count from 1, got ${t}`);
  return schedule.kind === 'constant' ? schedule.lr : 1 / (schedule.sigma * (t + schedule.offset));
}

/** The offset that makes an inverse-t schedule start at eta_1 = first. */
export function offsetForFirstStep(sigma: number, first: number): number {
  return Math.max(0, 1 / (sigma * first) - 1);
}

export interface FinetuneOptions {
  readonly start: Float64Array;
  /** The clean objective L_D0 whose minibatches SGD follows. */
  readonly objective: Objective;
  readonly schedule: StepSchedule;
  readonly iterations: number;
  readonly batchSize: number;
  /** Draws the minibatches (uniform, with replacement). */
  readonly rng: Rng;
  /** theta_0*: the distance to it is recorded after every step. */
  readonly reference: Float64Array;
  /** Steps (0 = the start) after which ASR and clean accuracy are measured. */
  readonly checkpoints: readonly number[];
  readonly asrSet: SampleSet;
  readonly testSet: SampleSet;
}

export interface FinetuneTrace {
  /** distance[t] = ||theta_t - theta_0*||, t = 0..iterations. */
  readonly distance: Float64Array;
  readonly checkpoints: readonly { readonly t: number; readonly asr: number; readonly accuracy: number }[];
  /** theta after the last step. */
  readonly final: Float64Array;
}

/** Minibatch SGD on the clean loss from `start`, tracing the distance to theta_0* and the ASR. */
export function finetune(options: FinetuneOptions): FinetuneTrace {
  const { objective, schedule, iterations, batchSize, rng, reference } = options;
  const theta = Float64Array.from(options.start);
  const grad = new Float64Array(theta.length);
  const rows = new Int32Array(batchSize);
  const dist = new Float64Array(iterations + 1);
  const at = new Set(options.checkpoints);
  const checkpoints: { t: number; asr: number; accuracy: number }[] = [];
  const measure = (t: number): void => {
    if (at.has(t))
      checkpoints.push({
        t,
        asr: accuracy(theta, options.asrSet),
        accuracy: accuracy(theta, options.testSet),
      });
  };
  dist[0] = distance(theta, reference);
  measure(0);
  for (let t = 1; t <= iterations; t++) {
    for (let b = 0; b < batchSize; b++) rows[b] = rng.int(objective.data.count);
    lossAndGradient(theta, objective, grad, rows);
    const eta = stepSize(schedule, t);
    for (let j = 0; j < theta.length; j++) theta[j] -= eta * grad[j];
    dist[t] = distance(theta, reference);
    measure(t);
  }
  return { distance: dist, checkpoints, final: theta };
}

/** About `count` log-spaced steps in 1..last, with 0 (the start) and last itself. */
export function logCheckpoints(last: number, count: number): number[] {
  const out = new Set<number>([0, last]);
  for (let i = 0; i < count; i++)
    out.add(Math.round(Math.exp((Math.log(last) * i) / Math.max(1, count - 1))));
  return [...out].filter((t) => t <= last).sort((a, b) => a - b);
}
