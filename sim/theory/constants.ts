import type { Rng } from '../rng.ts';
import { largestEigenvalue, smallestEigenvalue, type EigenEstimate } from './power-iteration.ts';
import type { SampleSet } from './samples.ts';
import { hessianVector, parameterCount, secondMomentVector, type Objective } from './softmax-regression.ts';

export interface HessianExtremes {
  /** lambda_max(H(theta)) by power iteration: the smoothness constant at theta. */
  readonly largest: EigenEstimate;
  /** lambda_min(H(theta)) by power iteration on (largest I - H): the strong convexity at theta (an upper estimate). */
  readonly smallest: EigenEstimate;
}

export interface PowerBudget {
  readonly maxIterations: number;
  readonly tol: number;
}

/** The Hessian's extreme eigenvalues at theta, from Hessian-vector products only. */
export function hessianExtremes(
  theta: Float64Array,
  objective: Objective,
  rng: Rng,
  budget: PowerBudget,
): HessianExtremes {
  const dim = parameterCount(objective.data);
  const matvec = (v: Float64Array, out: Float64Array): void => hessianVector(theta, objective, v, out);
  const largest = largestEigenvalue(matvec, dim, { ...budget, rng: rng.fork('largest') });
  const smallest = smallestEigenvalue(matvec, dim, largest.value, { ...budget, rng: rng.fork('smallest') });
  return { largest, smallest };
}

/**
 * A smoothness constant valid everywhere: lambda + lambda_max(E[x x^T]) / 2 (see
 * secondMomentVector), where the Hessian's top eigenvalue at the optimum is local.
 */
export function globalSmoothness(data: SampleSet, lambda: number, rng: Rng, budget: PowerBudget): number {
  const top = largestEigenvalue((v, out) => secondMomentVector(data, v, out), data.features + 1, {
    ...budget,
    rng,
  });
  return lambda + top.value / 2;
}

/**
 * v^T H v / v^T v along the direction that adds the same vector to every class's weights:
 * softmax is invariant to it, so the cross-entropy has no curvature there and the quotient
 * is exactly lambda. It certifies lambda_min(H) = lambda at every theta (the L2 term bounds
 * it below), i.e. the loss is lambda-strongly convex and no more.
 */
export function invarianceCurvature(theta: Float64Array, objective: Objective, rng: Rng): number {
  const { features, classes } = objective.data;
  const v = new Float64Array(parameterCount(objective.data));
  for (let j = 0; j <= features; j++) {
    const u = rng.normal();
    for (let k = 0; k < classes; k++) v[j * classes + k] = u;
  }
  const hv = new Float64Array(v.length);
  hessianVector(theta, objective, v, hv);
  let vhv = 0;
  let vv = 0;
  for (let j = 0; j < v.length; j++) {
    vhv += v[j] * hv[j];
    vv += v[j] * v[j];
  }
  return vhv / vv;
}
