import { createHash } from 'node:crypto';
import { createTrigger, type Trigger } from '../attacks/index.ts';
import type { ImageSet } from '../data/image-set.ts';
import { loadDataset, type DatasetName } from '../data/registry.ts';
import { asrArea, firstBelow, survivability } from '../metrics/survivability.ts';
import {
  createModel,
  defaultModelSpec,
  deserializeModel,
  serializeModel,
  type Model,
} from '../models/index.ts';
import { DriftStream } from '../stream/experience.ts';
import {
  evaluateOn,
  updateStep,
  type Evaluation,
  type PoisonSource,
  type Probe,
} from '../stream/update-step.ts';
import { stepsPerRun, type TrainProgress, type TrainReport } from '../train/trainer.ts';
import { isPoisoned, lastPoisonedModel, withResolvedAttack, type ExperimentConfig } from './config.ts';

/** Evaluation of one model of the timeline (F0 has index 0). */
export interface ModelRecord {
  readonly index: number;
  readonly driftStep: number;
  readonly poisoned: boolean;
  readonly cleanAccuracy: number;
  /** ASR on today's drifted-then-triggered non-target test images; null for a clean run. */
  readonly asr: number | null;
  readonly train: Omit<TrainReport, 'diverged'>;
  /** Extra results from inspectors (e.g. defense scans), by name. */
  readonly inspections?: Readonly<Record<string, unknown>>;
}

export interface StaticRecord {
  readonly driftStep: number;
  readonly cleanAccuracy: number;
  readonly asr: number | null;
}

export interface SeedResult {
  readonly seed: number;
  readonly models: readonly ModelRecord[];
  /** F0 kept unchanged, evaluated on each drifted test set. */
  readonly static: readonly StaticRecord[];
  /** ASR of the last poisoned model, which the paper requires to be >= 99%. */
  readonly injectedAsr: number | null;
  readonly injectionEffective: boolean | null;
  readonly survivability: number | null;
  readonly firstBelowGamma: number | null;
  readonly asrArea: number | null;
  readonly stepsPerUpdate: number;
  readonly seconds: number;
}

export type ExperimentEvent =
  | { type: 'seed:start'; seed: number }
  | { type: 'train:start'; seed: number; index: number; totalSteps: number }
  | { type: 'train:progress'; seed: number; index: number; progress: TrainProgress }
  | { type: 'model:evaluated'; seed: number; record: ModelRecord }
  | { type: 'seed:done'; seed: number; result: SeedResult };

/** Looks at a model after it is evaluated (e.g. a backdoor scan); the result is stored by name. */
export type Inspector = (
  model: Model,
  context: { seed: number; index: number; cleanTest: ImageSet; trigger: Trigger | null; target: number },
) => Promise<unknown>;

export interface RunHooks {
  readonly onEvent?: (event: ExperimentEvent) => void;
  readonly inspectors?: Readonly<Record<string, { at: readonly number[]; inspect: Inspector }>>;
  readonly signal?: AbortSignal;
  /** Receives each trained model (F0 first) before the next update changes it, e.g. to save it. */
  readonly onModel?: (model: Model, index: number) => Promise<void>;
  /** Reuses F0 across experiments that differ only after F0 (e.g. SGD vs STLR updates). */
  readonly f0Cache?: F0Cache;
}

/** A store of trained F0 models keyed by everything that determines them (see f0CacheKey). */
export interface F0Cache {
  load(key: string): Promise<Uint8Array | null>;
  save(key: string, bytes: Uint8Array): Promise<void>;
}

export class DivergedError extends Error {
  constructor(seed: number, index: number) {
    super(
      `training diverged (NaN or infinite loss) in seed ${seed}, model F${index}; lower the learning rate`,
    );
  }
}

/**
 * Runs the paper's protocol (Sec. 5.1) for one seed: the seed picks the split, the initial
 * weights, the poisoned images and the batch order, so a seed reproduces a run on one backend.
 * Each model is one `updateStep` on one experience of the drift stream.
 */
export async function runSeed(
  config: ExperimentConfig,
  seed: number,
  hooks: RunHooks = {},
): Promise<SeedResult> {
  const started = performance.now();
  const emit = hooks.onEvent ?? (() => undefined);
  emit({ type: 'seed:start', seed });
  const data = loadDataset(config.dataset as DatasetName, seed);
  const stream = new DriftStream({ split: data, drift: config.drift, seed, poolSubset: config.poolSubset });
  const trigger = config.attack ? createTrigger(config.attack, data.shape) : null;
  const attack = trigger ? attackSource(config, trigger, seed) : null;
  const probes: Probe[] = attack ? [attack] : [];
  const asrOf = (e: Evaluation) => (attack ? (e.asr[attack.name] ?? null) : null);
  const spec = defaultModelSpec(config.model, data.shape, data.numClasses, {
    widthMultiplier: config.widthMultiplier,
  });
  let model = createModel(spec, seed);
  const models: ModelRecord[] = [];
  let stepsPerUpdate = 0;
  try {
    const staticRecords: StaticRecord[] = [];
    for (let index = 0; index <= config.updates; index++) {
      const isF0 = index === 0;
      const training = isF0 ? config.f0 : config.update;
      const experience = stream.experience(index);
      const poison = attack && isPoisoned(config, index) ? [attack] : [];
      const totalSteps = stepsPerRun(experience.train.count, training.batchSize, training.epochs);
      if (!isF0) stepsPerUpdate = totalSteps;
      emit({ type: 'train:start', seed, index, totalSteps });
      const cacheKey = isF0 && hooks.f0Cache ? f0CacheKey(config, seed) : undefined;
      const cached = cacheKey ? await hooks.f0Cache?.load(cacheKey) : null;
      let report: TrainReport;
      let evaluation: Evaluation;
      if (cached) {
        model.dispose();
        model = deserializeModel(cached);
        report = { steps: 0, loss: Number.NaN, diverged: false, seconds: 0, samplesPerSecond: 0 };
        evaluation = await evaluateOn(model, experience.test, probes);
      } else {
        const step = await updateStep(model, experience, {
          training,
          poison,
          probes,
          seed,
          signal: hooks.signal,
          onProgress: (progress) => emit({ type: 'train:progress', seed, index, progress }),
        });
        if (step.train.diverged) throw new DivergedError(seed, index);
        if (cacheKey) await hooks.f0Cache?.save(cacheKey, serializeModel(model));
        report = step.train;
        evaluation = step.evaluation;
      }
      const { diverged: _, ...trainSummary } = report;
      const record: ModelRecord = {
        index,
        driftStep: index,
        poisoned: poison.length > 0,
        cleanAccuracy: evaluation.cleanAccuracy,
        asr: asrOf(evaluation),
        train: trainSummary,
        inspections: await inspect(hooks, model, {
          seed,
          index,
          cleanTest: experience.test,
          trigger,
          target: config.target,
        }),
      };
      models.push(record);
      emit({ type: 'model:evaluated', seed, record });
      await hooks.onModel?.(model, index);
      if (isF0 && config.staticBaseline) {
        for (let step = 0; step <= config.updates; step++) {
          const e = await evaluateOn(model, stream.testSet(step), probes);
          staticRecords.push({ driftStep: step, cleanAccuracy: e.cleanAccuracy, asr: asrOf(e) });
        }
      }
    }
    const result = summarise(config, seed, models, staticRecords, stepsPerUpdate, started);
    emit({ type: 'seed:done', seed, result });
    return result;
  } finally {
    model.dispose();
  }
}

/** The experiment's attack as a poison source: the run's seed picks the poisoned images. */
function attackSource(config: ExperimentConfig, trigger: Trigger, seed: number): PoisonSource {
  return { name: 'attack', trigger, ratio: config.poisonRatio, target: config.target, seed };
}

/** Everything that determines F0's weights: the data, model, D0 poison, F0 training and seed. */
export function f0CacheKey(config: ExperimentConfig, seed: number): string {
  const poisonedD0 = isPoisoned(config, 0);
  const determinants = {
    dataset: config.dataset,
    model: config.model,
    widthMultiplier: config.widthMultiplier ?? null,
    // Defaults written out, so `--attack badnets` and a sweep's resolved badnets share an F0.
    attack: poisonedD0 ? withResolvedAttack(config).attack : null,
    target: poisonedD0 ? config.target : null,
    poisonRatio: poisonedD0 ? config.poisonRatio : null,
    f0: config.f0,
    seed,
  };
  return createHash('sha256').update(JSON.stringify(determinants)).digest('hex').slice(0, 24);
}

async function inspect(
  hooks: RunHooks,
  model: Model,
  context: Parameters<Inspector>[1],
): Promise<Record<string, unknown> | undefined> {
  if (!hooks.inspectors) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, { at, inspect }] of Object.entries(hooks.inspectors)) {
    if (at.includes(context.index)) out[name] = await inspect(model, context);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function summarise(
  config: ExperimentConfig,
  seed: number,
  models: ModelRecord[],
  staticRecords: StaticRecord[],
  stepsPerUpdate: number,
  started: number,
): SeedResult {
  const last = lastPoisonedModel(config);
  const injected = last === null ? null : (models[last]?.asr ?? null);
  const after = last === null ? [] : models.slice(last + 1).map((m) => m.asr ?? 0);
  return {
    seed,
    models,
    static: staticRecords,
    injectedAsr: injected,
    injectionEffective: injected === null ? null : injected >= 0.99,
    survivability: last === null ? null : survivability(after, config.gamma, config.horizon),
    firstBelowGamma: last === null ? null : firstBelow(after, config.gamma),
    asrArea: last === null ? null : asrArea(models.slice(last).map((m) => m.asr ?? 0)),
    stepsPerUpdate,
    seconds: (performance.now() - started) / 1000,
  };
}
