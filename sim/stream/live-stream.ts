/**
 * The drift stream as the live loop sees it: a data set split by the service's seed, the
 * campaigns' triggers built once per campaign, and one `updateStep` per experience. The
 * live training worker (services/worker/simulation.ts) and counterfactual replay
 * (sim/replay/) both run updates through this class, so a replay with the recorded
 * schedule computes exactly what the live cycle computed (same backend).
 */
import { createTrigger, seededAttack, type AttackConfig, type Trigger } from '../attacks/index.ts';
import type { ImageSet } from '../data/image-set.ts';
import { loadDataset, type DatasetName } from '../data/registry.ts';
import type { DriftSpec } from '../drift/index.ts';
import { createModel, defaultModelSpec, type Model, type ModelArch } from '../models/index.ts';
import type { TrainProgress } from '../train/trainer.ts';
import { DriftStream } from './experience.ts';
import {
  updateStep,
  type PoisonSource,
  type Probe,
  type StepResult,
  type StepTraining,
} from './update-step.ts';

export interface LiveStreamSettings {
  readonly dataset: DatasetName;
  readonly seed: number;
  readonly arch: ModelArch;
  readonly drift: readonly DriftSpec[];
  readonly poolSubset: number;
  readonly evalSubset: number;
}

/** A campaign's trigger as the loop knows it; `seed` seeds the trigger itself. */
export interface CampaignTrigger {
  readonly campaign: string;
  readonly trigger: AttackConfig;
  readonly target: number;
  readonly seed: number;
}

/** A campaign's poison in one update. */
export interface CampaignPoison extends CampaignTrigger {
  readonly ratio: number;
}

export class LiveStream {
  private readonly stream: DriftStream;
  private readonly triggers = new Map<string, Trigger>();
  readonly shape: { height: number; width: number; channels: number; numClasses: number };

  constructor(readonly settings: LiveStreamSettings) {
    const data = loadDataset(settings.dataset, settings.seed);
    this.shape = { ...data.shape, numClasses: data.numClasses };
    this.stream = new DriftStream({
      split: data,
      drift: settings.drift,
      seed: settings.seed,
      poolSubset: settings.poolSubset,
      testSubset: settings.evalSubset,
      cachedTestSets: 1,
    });
  }

  /** The clean test set at drift step `step`. */
  testSet(step: number): ImageSet {
    return this.stream.testSet(step);
  }

  /** F0's starting point: the seeded initialisation of the architecture. */
  initialModel(): Model {
    const { arch, seed } = this.settings;
    return createModel(defaultModelSpec(arch, this.shape, this.shape.numClasses), seed);
  }

  /** Poisons experience `index` per the campaigns, trains `model` on it in place, evaluates it. */
  step(
    model: Model,
    index: number,
    training: StepTraining,
    poison: readonly CampaignPoison[],
    triggers: readonly CampaignTrigger[],
    onProgress?: (p: TrainProgress) => void,
  ): Promise<StepResult> {
    return updateStep(model, this.stream.experience(index), {
      training,
      poison: poison.map((o) => this.source(o)),
      probes: triggers.map((t) => this.probe(t)),
      seed: this.settings.seed,
      onProgress,
    });
  }

  source(order: CampaignPoison): PoisonSource {
    return { ...this.probe(order), ratio: order.ratio, seed: order.seed };
  }

  probe(t: CampaignTrigger): Probe {
    let trigger = this.triggers.get(t.campaign);
    if (!trigger) {
      trigger = createTrigger(seededAttack(t.trigger, t.seed), this.shape);
      this.triggers.set(t.campaign, trigger);
    }
    return { name: t.campaign, trigger, target: t.target };
  }
}
