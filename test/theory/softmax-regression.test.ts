import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../sim/rng.ts';
import { mixture, sampleSet } from '../../sim/theory/samples.ts';
import {
  accuracy,
  hessianVector,
  lossAndGradient,
  parameterCount,
  secondMomentVector,
} from '../../sim/theory/softmax-regression.ts';

const close = (a: number, b: number, tol = 1e-9): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

// One sample x = (1, 2), label 0, 2 classes; theta = 0 except class 0's bias = ln 3, so the
// logits are (ln 3, 0) and p = (3/4, 1/4). Layout: [x0: c0 c1, x1: c0 c1, bias: c0 c1].
const one = sampleSet([1, 2], [0], 2, 2);
const theta = Float64Array.from([0, 0, 0, 0, Math.log(3), 0]);
const lambda = 0.5;

test('loss and gradient of one sample match the hand computation', () => {
  const grad = new Float64Array(6);
  const loss = lossAndGradient(theta, { data: one, lambda }, grad);
  // CE = -ln(3/4); L2 = lambda/2 (ln 3)^2.
  close(loss, Math.log(4 / 3) + 0.5 * lambda * Math.log(3) ** 2);
  // dCE/dz = p - onehot = (-1/4, 1/4), times x~ = (1, 2, 1); plus lambda theta on class 0's bias.
  const want = [-0.25, 0.25, -0.5, 0.5, -0.25 + lambda * Math.log(3), 0.25];
  want.forEach((w, j) => close(grad[j], w));
});

test('Hessian-vector product of one sample matches (diag(p) - pp^T) (x) x x^T + lambda I', () => {
  // diag(p) - pp^T = 3/16 [[1, -1], [-1, 1]]; x~ = (1, 2, 1). For v = e(x1, c0):
  // H v = 3/16 * x~_1 * (1, -1) (x) x~ + lambda v.
  const v = Float64Array.from([0, 0, 1, 0, 0, 0]);
  const hv = new Float64Array(6);
  hessianVector(theta, { data: one, lambda }, v, hv);
  const c = (3 / 16) * 2;
  const want = [c * 1, -c * 1, c * 2 + lambda, -c * 2, c * 1, -c * 1];
  want.forEach((w, j) => close(hv[j], w));
});

/** A random problem: 12 samples, 5 features (some zero), 3 classes, random weights. */
function randomProblem(seed: number): { data: ReturnType<typeof sampleSet>; theta: Float64Array } {
  const rng = createRng(seed);
  const dense = Array.from({ length: 12 * 5 }, (_, i) => (i % 5 === 4 ? 0 : rng.normal()));
  const labels = Array.from({ length: 12 }, () => rng.int(3));
  const weights = Array.from({ length: 12 }, () => 0.5 + rng.next());
  const data = sampleSet(dense, labels, 5, 3, weights);
  return { data, theta: Float64Array.from({ length: parameterCount(data) }, () => rng.normal()) };
}

test('gradient matches central finite differences of the loss', () => {
  const { data, theta: th } = randomProblem(1);
  const objective = { data, lambda: 0.1 };
  const grad = new Float64Array(th.length);
  lossAndGradient(th, objective, grad);
  const h = 1e-6;
  for (let j = 0; j < th.length; j++) {
    const plus = Float64Array.from(th);
    const minus = Float64Array.from(th);
    plus[j] += h;
    minus[j] -= h;
    const fd = (lossAndGradient(plus, objective) - lossAndGradient(minus, objective)) / (2 * h);
    close(grad[j], fd, 1e-6);
  }
});

test('Hessian-vector product matches finite differences of the gradient', () => {
  const { data, theta: th } = randomProblem(2);
  const objective = { data, lambda: 0.1 };
  const rng = createRng(3);
  const v = Float64Array.from({ length: th.length }, () => rng.normal());
  const hv = new Float64Array(th.length);
  hessianVector(th, objective, v, hv);
  const h = 1e-5;
  const gp = new Float64Array(th.length);
  const gm = new Float64Array(th.length);
  lossAndGradient(
    th.map((x, j) => x + h * v[j]),
    objective,
    gp,
  );
  lossAndGradient(
    th.map((x, j) => x - h * v[j]),
    objective,
    gm,
  );
  for (let j = 0; j < th.length; j++) close(hv[j], (gp[j] - gm[j]) / (2 * h), 1e-6);
});

test('a minibatch renormalises its weights; a mixture weighs its parts by the share', () => {
  const { data, theta: th } = randomProblem(4);
  const objective = { data, lambda: 0.2 };
  // One row as a minibatch: its own loss with weight 1.
  const alone = sampleSet(denseRow(data, 0), [data.labels[0]], 5, 3);
  close(lossAndGradient(th, objective, undefined, [0]), lossAndGradient(th, { data: alone, lambda: 0.2 }));
  // L_mix = a L_a + (1 - a) L_b: the L2 term is counted once, so compare without it.
  const a = sampleSet(denseRow(data, 1), [data.labels[1]], 5, 3);
  const b = sampleSet(denseRow(data, 2), [data.labels[2]], 5, 3);
  const ce = (set: typeof a): number => lossAndGradient(th, { data: set, lambda: 0 });
  close(ce(mixture(a, b, 0.3)), 0.3 * ce(a) + 0.7 * ce(b));
});

test('the second moment of x~ and accuracy on a hand example', () => {
  // x~ = (1, 2, 1): M = x~ x~^T, so M (1, 0, 0) = (1, 2, 1).
  const out = new Float64Array(3);
  secondMomentVector(one, Float64Array.from([1, 0, 0]), out);
  assert.deepEqual([...out], [1, 2, 1]);
  // Logits (ln 3, 0): predicts class 0 = the label.
  assert.equal(accuracy(theta, one), 1);
  assert.equal(accuracy(theta, sampleSet([1, 2], [1], 2, 2)), 0);
});

function denseRow(data: ReturnType<typeof sampleSet>, i: number): number[] {
  const row = new Array<number>(data.features).fill(0);
  for (let p = data.rowPtr[i]; p < data.rowPtr[i + 1]; p++) row[data.cols[p]] = data.vals[p];
  return row;
}
