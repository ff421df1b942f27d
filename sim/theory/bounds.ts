/**
 * The paper's section 4 bounds as plain functions of the constants. sigma_p, sigma_b are
 * the strong convexity and gamma_p the smoothness constants of the poison loss L_p and the
 * clean loss L_D0; L_mix = alpha L_p + (1 - alpha) L_D0 is then
 * (alpha sigma_p + (1 - alpha) sigma_b)-strongly convex (the paper's Appendix A).
 */
export interface ConvexityConstants {
  readonly sigmaP: number;
  readonly sigmaB: number;
}

export function mixStrongConvexity(alpha: number, c: ConvexityConstants): number {
  checkAlpha(alpha);
  return alpha * c.sigmaP + (1 - alpha) * c.sigmaB;
}

/** Lemma 4.2: ||theta_mix - theta_0*|| <= alpha ||grad L_p(theta_0*)|| / sigma_mix. */
export function lemmaDistanceBound(alpha: number, poisonGradNorm: number, c: ConvexityConstants): number {
  return (alpha * poisonGradNorm) / mixStrongConvexity(alpha, c);
}

/**
 * Theorem 4.3: SGD at eta_t = 1/(sigma_b t) from theta_mix is epsilon-close to theta_0*
 * (in expected distance) after alpha gamma_p / (epsilon sigma_mix) iterations. `scale` is
 * gamma_p as the theorem states it; the proof's own quantity there is ||grad L_p(theta_0*)||
 * (Lemma 4.2), so callers may pass either.
 */
export function theoremIterations(
  alpha: number,
  scale: number,
  epsilon: number,
  c: ConvexityConstants,
): number {
  if (!(epsilon > 0)) throw new Error(`epsilon must be positive, got ${epsilon}`);
  return (alpha * scale) / (epsilon * mixStrongConvexity(alpha, c));
}

/** The same bound read the other way: the distance it guarantees after T iterations. */
export function theoremDistance(
  alpha: number,
  scale: number,
  iterations: number,
  c: ConvexityConstants,
): number {
  if (!(iterations > 0)) throw new Error(`iterations must be positive, got ${iterations}`);
  return (alpha * scale) / (iterations * mixStrongConvexity(alpha, c));
}

/** The first t with trace[t] <= epsilon (trace[0] is the start), or null if none. */
export function firstIterationWithin(trace: ArrayLike<number>, epsilon: number): number | null {
  for (let t = 0; t < trace.length; t++) if (trace[t] <= epsilon) return t;
  return null;
}

function checkAlpha(alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`poison ratio alpha must be in [0, 1], got ${alpha}`);
}

/**
 * The first measured step at which the ASR is below gamma: the convex model's counterpart
 * of survivability (the paper's section 5.2 counts model updates; here, SGD iterations at
 * the resolution of the checkpoints). null: the backdoor outlived the run.
 */
export function firstCheckpointBelow(
  curve: readonly { readonly t: number; readonly asr: number }[],
  gamma: number,
): number | null {
  return curve.find((p) => p.asr < gamma)?.t ?? null;
}
