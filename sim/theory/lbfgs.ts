import { dot, norm } from './power-iteration.ts';

/** f(x), writing the gradient into grad. */
export type LossGrad = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when ||grad|| <= gradTol (default 1e-8). */
  readonly gradTol?: number;
  readonly maxIterations?: number;
  /** Correction pairs kept (default 10). */
  readonly memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly loss: number;
  readonly gradNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * L-BFGS (Nocedal and Wright, Numerical Optimization, Alg. 7.4 and 7.5) with a backtracking
 * Armijo line search. For a strongly convex, smooth loss this reaches the unique minimiser;
 * the gradient norm at the end bounds the distance to it: ||x - x*|| <= ||grad|| / sigma.
 */
export function minimiseLbfgs(f: LossGrad, start: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const gradTol = options.gradTol ?? 1e-8;
  const maxIterations = options.maxIterations ?? 5000;
  const memory = options.memory ?? 10;
  const dim = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(dim);
  let loss = f(x, g);
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const d = new Float64Array(dim);
  let xNext = new Float64Array(dim);
  let gNext = new Float64Array(dim);
  const alphas = new Float64Array(memory);
  for (let it = 0; it < maxIterations; it++) {
    const gn = norm(g);
    if (gn <= gradTol) return { x, loss, gradNorm: gn, iterations: it, converged: true };
    // Two-loop recursion: d = -H_k g.
    d.set(g);
    for (let m = ss.length - 1; m >= 0; m--) {
      alphas[m] = rhos[m] * dot(ss[m], d);
      axpy(d, -alphas[m], ys[m]);
    }
    const gammaScale = ss.length > 0 ? dot(ss.at(-1)!, ys.at(-1)!) / dot(ys.at(-1)!, ys.at(-1)!) : 1 / gn;
    for (let j = 0; j < dim; j++) d[j] *= gammaScale;
    for (let m = 0; m < ss.length; m++) {
      const beta = rhos[m] * dot(ys[m], d);
      axpy(d, alphas[m] - beta, ss[m]);
    }
    for (let j = 0; j < dim; j++) d[j] = -d[j];
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical breakdown): restart from steepest descent.
      ss.length = ys.length = rhos.length = 0;
      for (let j = 0; j < dim; j++) d[j] = -g[j] / gn;
      slope = -gn;
    }
    let step = 1;
    let next = Infinity;
    for (let back = 0; back < 60; back++) {
      for (let j = 0; j < dim; j++) xNext[j] = x[j] + step * d[j];
      next = f(xNext, gNext);
      if (next <= loss + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(next <= loss)) return { x, loss, gradNorm: gn, iterations: it, converged: false };
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      s[j] = xNext[j] - x[j];
      y[j] = gNext[j] - g[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * norm(s) * norm(y)) {
      if (ss.length === memory) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(y);
      rhos.push(1 / sy);
    }
    [x, xNext] = [xNext, x];
    [g, gNext] = [gNext, g];
    loss = next;
  }
  const gn = norm(g);
  return { x, loss, gradNorm: gn, iterations: maxIterations, converged: gn <= gradTol };
}

function axpy(y: Float64Array, a: number, x: Float64Array): void {
  for (let j = 0; j < y.length; j++) y[j] += a * x[j];
}
