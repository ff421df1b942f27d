/**
 * Messages between the service and its training worker. The worker is stateless about
 * models: every request carries the weights it works on, so the main thread (and the
 * registry) stay the only source of truth and a crashed worker loses nothing.
 */
import type { DriftSpec } from '../../sim/drift/index.ts';
import type { StepTraining } from '../../sim/stream/update-step.ts';
import type { TriggerSpec } from '../loop/campaigns.ts';

export interface WorkerSetup {
  dataset: 'mnist';
  seed: number;
  arch: 'small-cnn' | 'resnet9';
  drift: DriftSpec[];
  poolSubset: number;
  evalSubset: number;
  scanSubset: number;
  scanDefense: 'nc' | 'tabor';
  scanMaxEpochs: number;
}

export interface KnownTrigger {
  campaign: string;
  trigger: TriggerSpec;
  target: number;
  seed: number;
}

export interface PoisonOrder extends KnownTrigger {
  ratio: number;
}

export interface Evaluation {
  step: number;
  cleanAccuracy: number;
  /** Share of evaluation predictions per class. */
  labelShares: number[];
  /** ASR per campaign id. */
  asr: Record<string, number>;
  seconds: number;
}

export interface TrainSummary {
  steps: number;
  loss: number;
  diverged: boolean;
  seconds: number;
  poisoned: number;
  images: number;
}

export interface ScanSummary {
  defense: string;
  anomalyIndex: number;
  /** The index a zero-norm trigger on the suspect label would reach (sim/defenses/anomaly.ts). */
  indexCeiling: number;
  flagged: boolean;
  flaggedLabels: number[];
  seconds: number;
}

export type WorkerRequest =
  | { type: 'setup'; id: number; setup: WorkerSetup }
  | {
      type: 'trainInitial';
      id: number;
      training: StepTraining;
      poison: PoisonOrder[];
      triggers: KnownTrigger[];
    }
  | {
      type: 'update';
      id: number;
      base: Uint8Array;
      step: number;
      training: StepTraining;
      poison: PoisonOrder[];
      triggers: KnownTrigger[];
    }
  | { type: 'evaluate'; id: number; model: Uint8Array; step: number; triggers: KnownTrigger[] }
  | { type: 'scan'; id: number; model: Uint8Array; step: number };

export interface SetupResult {
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  backend: string;
}

export interface ModelResult {
  model: Uint8Array;
  train: TrainSummary;
  evaluation: Evaluation;
  /** Clean accuracy of the base model on the same drifted test set (divergence check). */
  baseAccuracy: number | null;
}

export interface WorkerResults {
  setup: SetupResult;
  trainInitial: ModelResult;
  update: ModelResult;
  evaluate: Evaluation;
  scan: ScanSummary;
}

export interface TrainProgressMessage {
  type: 'progress';
  id: number;
  step: number;
  totalSteps: number;
  epoch: number;
  loss: number;
  lr: number;
}

export type WorkerResponse =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string }
  | TrainProgressMessage;
