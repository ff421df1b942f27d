/**
 * Messages between the service and its training worker. The worker is stateless about
 * models: every request carries the weights it works on, so the main thread (and the
 * registry) stay the only source of truth and a crashed worker loses nothing.
 */
import type { DefenseName } from '../../sim/defenses/types.ts';
import type { DriftSpec } from '../../sim/drift/index.ts';
import type { ModelArch } from '../../sim/models/index.ts';
import type { StepTraining } from '../../sim/stream/update-step.ts';
import type { TriggerSpec } from '../loop/campaigns.ts';
import type { ScanOutcome } from '../../sim/stream/scan-step.ts';

export interface WorkerSetup {
  dataset: 'mnist';
  seed: number;
  arch: ModelArch;
  drift: DriftSpec[];
  poolSubset: number;
  evalSubset: number;
  scanSubset: number;
  scanDefense: DefenseName;
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

/** A scan's outcome, as the shared scan step (sim/stream/scan-step.ts) reports it. */
export type ScanSummary = ScanOutcome;

/** F0 on experience 0 (D0), poisoned by the campaigns already injecting. */
export interface TrainInitialRequest {
  training: StepTraining;
  poison: PoisonOrder[];
  triggers: KnownTrigger[];
}

/** One update of `base` on experience `step`. */
export interface UpdateRequest extends TrainInitialRequest {
  base: Uint8Array;
  step: number;
}

export type WorkerRequest =
  | { type: 'setup'; id: number; setup: WorkerSetup }
  | ({ type: 'trainInitial'; id: number } & TrainInitialRequest)
  | ({ type: 'update'; id: number } & UpdateRequest)
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

/** What the loop needs from its trainer: the worker thread's client, or a fake in unit tests. */
export interface Trainer {
  start(): Promise<SetupResult>;
  trainInitial(
    request: TrainInitialRequest,
    onProgress?: (p: TrainProgressMessage) => void,
  ): Promise<ModelResult>;
  update(request: UpdateRequest, onProgress?: (p: TrainProgressMessage) => void): Promise<ModelResult>;
  evaluate(model: Uint8Array, step: number, triggers: KnownTrigger[]): Promise<Evaluation>;
  scan(model: Uint8Array, step: number): Promise<ScanSummary>;
  close(): Promise<void>;
}
