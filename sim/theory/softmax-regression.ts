import type { SampleSet } from './samples.ts';

/**
 * Multinomial logistic regression with an L2 term, the strongly convex model on which the
 * paper's Lemma 4.2 and Theorem 4.3 apply:
 *
 *   L(theta) = sum_i w_i CE(softmax(W x_i + b), y_i) + lambda/2 ||theta||^2
 *
 * theta is feature-major: theta[j * classes + k] is feature j's weight for class k, and
 * the biases are the last row (j = features), so the inner loops over classes run over
 * contiguous memory. The bias is penalised too: that makes the whole of L
 * lambda-strongly convex, not only its weights.
 */
export interface Objective {
  readonly data: SampleSet;
  /** The L2 coefficient lambda (> 0 for strong convexity). */
  readonly lambda: number;
}

export function parameterCount(data: Pick<SampleSet, 'features' | 'classes'>): number {
  return data.classes * (data.features + 1);
}

/** Row i's logits W x_i + b into `out` (length classes). */
export function logits(theta: Float64Array, data: SampleSet, i: number, out: Float64Array): void {
  const K = data.classes;
  const bias = data.features * K;
  for (let k = 0; k < K; k++) out[k] = theta[bias + k];
  for (let p = data.rowPtr[i]; p < data.rowPtr[i + 1]; p++) {
    const at = data.cols[p] * K;
    const x = data.vals[p];
    for (let k = 0; k < K; k++) out[k] += theta[at + k] * x;
  }
}

/** In place: logits -> probabilities; returns log(sum exp(logits)) (computed stably). */
function softmaxInPlace(z: Float64Array): number {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k] - max);
    sum += z[k];
  }
  for (let k = 0; k < z.length; k++) z[k] /= sum;
  return max + Math.log(sum);
}

/**
 * L(theta) over `rows` (all samples when omitted; a minibatch's weights are renormalised
 * to sum to 1). Writes the gradient into `grad` when given.
 */
export function lossAndGradient(
  theta: Float64Array,
  objective: Objective,
  grad?: Float64Array,
  rows?: ArrayLike<number>,
): number {
  const { data, lambda } = objective;
  const n = rows ? rows.length : data.count;
  let weightSum = 0;
  for (let r = 0; r < n; r++) weightSum += data.weights[rows ? rows[r] : r];
  const z = new Float64Array(data.classes);
  if (grad) grad.fill(0);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    const w = data.weights[i] / weightSum;
    if (w === 0) continue;
    logits(theta, data, i, z);
    const y = data.labels[i];
    const zy = z[y];
    loss += w * (softmaxInPlace(z) - zy);
    if (!grad) continue;
    // d CE / d logits = p - onehot(y).
    z[y] -= 1;
    const K = data.classes;
    for (let k = 0; k < K; k++) {
      z[k] *= w;
      grad[data.features * K + k] += z[k];
    }
    for (let p = data.rowPtr[i]; p < data.rowPtr[i + 1]; p++) {
      const at = data.cols[p] * K;
      const x = data.vals[p];
      for (let k = 0; k < K; k++) grad[at + k] += z[k] * x;
    }
  }
  let sq = 0;
  for (let j = 0; j < theta.length; j++) {
    sq += theta[j] * theta[j];
    if (grad) grad[j] += lambda * theta[j];
  }
  return loss + 0.5 * lambda * sq;
}

/**
 * Hessian-vector product H(theta) v into `out`. Per sample the cross-entropy Hessian is
 * (diag(p) - p p^T) (x) x x^T (x with a trailing 1 for the bias), so H v needs only the
 * projections u_k = v_k . x: no Hessian is formed.
 */
export function hessianVector(
  theta: Float64Array,
  objective: Objective,
  v: Float64Array,
  out: Float64Array,
): void {
  const { data, lambda } = objective;
  const p = new Float64Array(data.classes);
  const u = new Float64Array(data.classes);
  out.fill(0);
  for (let i = 0; i < data.count; i++) {
    const w = data.weights[i];
    if (w === 0) continue;
    logits(theta, data, i, p);
    softmaxInPlace(p);
    logits(v, data, i, u);
    let pu = 0;
    for (let k = 0; k < data.classes; k++) pu += p[k] * u[k];
    const K = data.classes;
    for (let k = 0; k < K; k++) {
      u[k] = w * p[k] * (u[k] - pu);
      out[data.features * K + k] += u[k];
    }
    for (let q = data.rowPtr[i]; q < data.rowPtr[i + 1]; q++) {
      const at = data.cols[q] * K;
      const x = data.vals[q];
      for (let k = 0; k < K; k++) out[at + k] += u[k] * x;
    }
  }
  for (let j = 0; j < v.length; j++) out[j] += lambda * v[j];
}

/** The predicted class of each sample (argmax of the logits). */
export function predict(theta: Float64Array, data: SampleSet): Int32Array {
  const z = new Float64Array(data.classes);
  const out = new Int32Array(data.count);
  for (let i = 0; i < data.count; i++) {
    logits(theta, data, i, z);
    let best = 0;
    for (let k = 1; k < data.classes; k++) if (z[k] > z[best]) best = k;
    out[i] = best;
  }
  return out;
}

/** Share of samples predicted as their label: clean accuracy, or the ASR on a triggered set. */
export function accuracy(theta: Float64Array, data: SampleSet): number {
  const predicted = predict(theta, data);
  let hits = 0;
  for (let i = 0; i < data.count; i++) if (predicted[i] === data.labels[i]) hits++;
  return data.count === 0 ? 0 : hits / data.count;
}

/**
 * out = M v for the weighted second moment M = sum_i w_i x_i x_i^T of the inputs with a
 * trailing 1 (dimension features + 1). Since diag(p) - p p^T <= I / 2 for every p (Bohning,
 * 1992), lambda + lambda_max(M) / 2 bounds the Hessian everywhere: a global smoothness
 * constant, where the Hessian's top eigenvalue at a point is only a local one.
 */
export function secondMomentVector(data: SampleSet, v: Float64Array, out: Float64Array): void {
  out.fill(0);
  const bias = data.features;
  for (let i = 0; i < data.count; i++) {
    let s = v[bias];
    for (let q = data.rowPtr[i]; q < data.rowPtr[i + 1]; q++) s += v[data.cols[q]] * data.vals[q];
    s *= data.weights[i];
    out[bias] += s;
    for (let q = data.rowPtr[i]; q < data.rowPtr[i + 1]; q++) out[data.cols[q]] += s * data.vals[q];
  }
}
