import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../sim/rng.ts';
import { minimiseLbfgs } from '../../sim/theory/lbfgs.ts';
import { largestEigenvalue, smallestEigenvalue, type MatVec } from '../../sim/theory/power-iteration.ts';

/** out = A v for a dense symmetric A given row by row. */
const dense =
  (a: number[][]): MatVec =>
  (v, out) => {
    for (let i = 0; i < a.length; i++) out[i] = a[i].reduce((s, x, j) => s + x * v[j], 0);
  };

test('power iteration finds the extreme eigenvalues of [[2, 1], [1, 2]] (3 and 1)', () => {
  const a = dense([
    [2, 1],
    [1, 2],
  ]);
  const top = largestEigenvalue(a, 2, { rng: createRng(1), tol: 1e-12 });
  assert.ok(top.converged);
  assert.ok(Math.abs(top.value - 3) < 1e-9, String(top.value));
  const bottom = smallestEigenvalue(a, 2, top.value, { rng: createRng(2), tol: 1e-12 });
  assert.ok(Math.abs(bottom.value - 1) < 1e-9, String(bottom.value));
  assert.ok(bottom.residual < 1e-4);
});

test('power iteration on diag(1, 2, 5): 5 on top; the shifted bottom estimate never goes below 1', () => {
  const a = dense([
    [1, 0, 0],
    [0, 2, 0],
    [0, 0, 5],
  ]);
  const top = largestEigenvalue(a, 3, { rng: createRng(3), tol: 1e-12, maxIterations: 500 });
  assert.ok(Math.abs(top.value - 5) < 1e-8);
  // A budget too small to converge still gives a Rayleigh quotient, i.e. >= lambda_min.
  const rough = smallestEigenvalue(a, 3, 5, { rng: createRng(4), maxIterations: 3 });
  assert.ok(rough.value >= 1 - 1e-12 && !rough.converged);
  const fine = smallestEigenvalue(a, 3, 5, { rng: createRng(4), tol: 1e-14, maxIterations: 2000 });
  assert.ok(Math.abs(fine.value - 1) < 1e-8, String(fine.value));
});

test('L-BFGS reaches the minimiser A^-1 b of a quadratic 1/2 x^T A x - b^T x', () => {
  // A = [[4, 1], [1, 3]], b = (1, 2): x* = A^-1 b = (1/11, 7/11).
  const f = (x: Float64Array, g: Float64Array): number => {
    g[0] = 4 * x[0] + x[1] - 1;
    g[1] = x[0] + 3 * x[1] - 2;
    return 0.5 * (4 * x[0] ** 2 + 2 * x[0] * x[1] + 3 * x[1] ** 2) - x[0] - 2 * x[1];
  };
  const r = minimiseLbfgs(f, Float64Array.from([5, -5]), { gradTol: 1e-10 });
  assert.ok(r.converged);
  assert.ok(Math.abs(r.x[0] - 1 / 11) < 1e-9 && Math.abs(r.x[1] - 7 / 11) < 1e-9);
});

test('L-BFGS minimises the Rosenbrock function to (1, 1)', () => {
  const f = (x: Float64Array, g: Float64Array): number => {
    const [a, b] = x;
    g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
    g[1] = 200 * (b - a * a);
    return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
  };
  const r = minimiseLbfgs(f, Float64Array.from([-1.2, 1]), { gradTol: 1e-8 });
  assert.ok(r.converged, JSON.stringify(r));
  assert.ok(Math.abs(r.x[0] - 1) < 1e-6 && Math.abs(r.x[1] - 1) < 1e-6);
});
