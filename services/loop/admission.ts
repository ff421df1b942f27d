/**
 * Campaign admission: the injecting campaigns' poison goes into the same experience, one
 * source after the other (sim/stream/update-step.ts), and each source replaces a share of
 * the images that are not of its target class (sim/attacks/poison.ts). So a new campaign
 * fits only if the poison of all injecting campaigns plus the share of the target class
 * stays within one batch; otherwise every cycle would fail ("cannot poison N images").
 */

/** What admission needs of a campaign. */
export interface PoisonShare {
  ratio: number;
  target: number;
}

/**
 * Share of an experience assumed to be of one class: twice the uniform share. MNIST's
 * largest class is 11.2% of the training set, and a 256-image draw (the smallest pool the
 * tests use) exceeds 20% for one class only with a negligible probability.
 */
export function classShareBound(numClasses: number): number {
  return Math.min(1, 2 / numClasses);
}

/**
 * Why `candidate` does not fit beside `injecting` (undefined when it fits): the sum of
 * every injecting campaign's ratio plus the target's share must not exceed 1. Conservative
 * (earlier sources may relabel images the later ones could still use) but never admits a
 * set of campaigns the poisoning cannot apply.
 */
export function admissionProblem(
  injecting: readonly PoisonShare[],
  candidate: PoisonShare,
  classShare: number,
): string | undefined {
  const active = injecting.reduce((sum, c) => sum + c.ratio, 0);
  const total = active + candidate.ratio;
  // A tolerance for the float sum (0.1 + 0.2 + ...): ratios are given to a few decimals.
  if (total + classShare <= 1 + 1e-9) return undefined;
  const room = Math.max(0, 1 - classShare - active);
  return (
    `the injecting campaigns already poison ${round(active)} of each experience; with ${round(candidate.ratio)} ` +
    `more and the target class (up to ${round(classShare)}) it would not fit: at most ${round(room)} is left`
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
