import type { Rng } from '../rng.ts';

/** A symmetric linear operator as a matrix-vector product: out = A v. */
export type MatVec = (v: Float64Array, out: Float64Array) => void;

export interface EigenEstimate {
  /** The Rayleigh quotient v^T A v at the last iterate (unit v). */
  readonly value: number;
  readonly iterations: number;
  /** ||A v - value v||: zero at an exact eigenpair. */
  readonly residual: number;
  readonly converged: boolean;
}

export interface PowerOptions {
  /** Stop when the Rayleigh quotient changes by less than tol * |value| (default 1e-9). */
  readonly tol?: number;
  readonly maxIterations?: number;
  /** The start vector is drawn from it (Gaussian), so it is not orthogonal to the top eigenvector. */
  readonly rng: Rng;
}

/**
 * The eigenvalue of largest magnitude of a symmetric operator by power iteration; for a
 * positive semi-definite A (a convex loss's Hessian) that is its largest, i.e. the
 * smoothness constant at that point.
 */
export function largestEigenvalue(matvec: MatVec, dim: number, options: PowerOptions): EigenEstimate {
  const tol = options.tol ?? 1e-9;
  const maxIterations = options.maxIterations ?? 1000;
  let v = new Float64Array(dim);
  for (let j = 0; j < dim; j++) v[j] = options.rng.normal();
  scale(v, 1 / norm(v));
  let av = new Float64Array(dim);
  let value = 0;
  for (let it = 1; it <= maxIterations; it++) {
    matvec(v, av);
    const next = dot(v, av);
    const residual = residualNorm(av, v, next);
    const done = it > 1 && Math.abs(next - value) <= tol * Math.abs(next);
    value = next;
    const size = norm(av);
    if (done || size === 0) return { value, iterations: it, residual, converged: done || size === 0 };
    [v, av] = [av, v];
    scale(v, 1 / size);
  }
  matvec(v, av);
  value = dot(v, av);
  return { value, iterations: maxIterations, residual: residualNorm(av, v, value), converged: false };
}

/**
 * The smallest eigenvalue of a symmetric A with spectrum in [0, upper], by power iteration
 * on upper I - A (whose largest eigenvalue is upper - lambda_min). Being a Rayleigh
 * quotient, the estimate is never below the true lambda_min.
 */
export function smallestEigenvalue(
  matvec: MatVec,
  dim: number,
  upper: number,
  options: PowerOptions,
): EigenEstimate {
  const shifted: MatVec = (v, out) => {
    matvec(v, out);
    for (let j = 0; j < dim; j++) out[j] = upper * v[j] - out[j];
  };
  const top = largestEigenvalue(shifted, dim, options);
  return { ...top, value: upper - top.value };
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** ||a - b||. */
export function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return Math.sqrt(s);
}

function scale(a: Float64Array, c: number): void {
  for (let j = 0; j < a.length; j++) a[j] *= c;
}

function residualNorm(av: Float64Array, v: Float64Array, value: number): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += (av[j] - value * v[j]) ** 2;
  return Math.sqrt(s);
}
