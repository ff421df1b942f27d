/**
 * Neural Cleanse's adaptive weight of the mask-norm term (bolunwang/backdoor visualizer.py),
 * as a pure state machine stepped once per epoch with that epoch's trigger ASR. The cost
 * starts at 0 (find any trigger first), is set to `initCost` after `patience` epochs at the
 * threshold, then is raised while the trigger keeps reaching the threshold and lowered while
 * it does not. Early stop once it has moved both ways and the best norm has not improved
 * for `earlyStopPatience` epochs.
 */
export interface CostScheduleOptions {
  readonly initCost: number;
  readonly patience: number;
  readonly multiplierUp: number;
  readonly multiplierDown: number;
  readonly earlyStopPatience: number;
  /** An epoch improves on the best norm when it is below this share of it (NC: 0.99). */
  readonly earlyStopThreshold: number;
}

export interface CostState {
  readonly cost: number;
  readonly setCounter: number;
  readonly upCounter: number;
  readonly downCounter: number;
  readonly movedUp: boolean;
  readonly movedDown: boolean;
  /** Best norm at the last improvement (Infinity before a trigger met the threshold). */
  readonly earlyStopBest: number;
  readonly earlyStopCounter: number;
  readonly stop: boolean;
}

export const NC_COST_DEFAULTS: CostScheduleOptions = {
  initCost: 1e-3,
  patience: 5,
  multiplierUp: 1.5,
  multiplierDown: 1.5 ** 1.5,
  earlyStopPatience: 10,
  earlyStopThreshold: 0.99,
};

export function initialCostState(): CostState {
  return {
    cost: 0,
    setCounter: 0,
    upCounter: 0,
    downCounter: 0,
    movedUp: false,
    movedDown: false,
    earlyStopBest: Number.POSITIVE_INFINITY,
    earlyStopCounter: 0,
    stop: false,
  };
}

/** The state after an epoch; `reached`: its trigger met the ASR threshold; `bestNorm`: best so far. */
export function stepCost(
  state: CostState,
  reached: boolean,
  bestNorm: number,
  options: CostScheduleOptions = NC_COST_DEFAULTS,
): CostState {
  let { cost, setCounter, upCounter, downCounter, movedUp, movedDown, earlyStopBest, earlyStopCounter } =
    state;
  // Early stop counts only once a trigger met the threshold (bestNorm finite); as in NC, it
  // is decided before this epoch moves the cost.
  if (Number.isFinite(bestNorm)) {
    earlyStopCounter = bestNorm >= options.earlyStopThreshold * earlyStopBest ? earlyStopCounter + 1 : 0;
  }
  earlyStopBest = Math.min(earlyStopBest, bestNorm);
  const stop = movedUp && movedDown && earlyStopCounter >= options.earlyStopPatience;
  if (cost === 0 && reached) {
    setCounter++;
    if (setCounter >= options.patience) {
      cost = options.initCost;
      upCounter = 0;
      downCounter = 0;
      movedUp = false;
      movedDown = false;
    }
  } else {
    setCounter = 0;
  }
  if (reached) {
    upCounter++;
    downCounter = 0;
  } else {
    upCounter = 0;
    downCounter++;
  }
  if (upCounter >= options.patience) {
    upCounter = 0;
    cost *= options.multiplierUp;
    movedUp = true;
  } else if (downCounter >= options.patience) {
    downCounter = 0;
    cost /= options.multiplierDown;
    movedDown = true;
  }
  return {
    cost,
    setCounter,
    upCounter,
    downCounter,
    movedUp,
    movedDown,
    earlyStopBest,
    earlyStopCounter,
    stop,
  };
}
