/** The loop's view for /api/state and the dashboard's `state` event. */
import type { ServiceConfig } from '../config.ts';
import type { Pointer } from '../registry/model-store.ts';
import type { Evaluation, ScanSummary } from '../worker/protocol.ts';
import type { Campaign } from './campaigns.ts';
import type { CycleReport } from './loop-events.ts';
import type { PolicyDecision } from './policy.ts';
import type { RegistryHealthView } from './registry-health.ts';

export type Phase = 'starting' | 'training-f0' | 'idle' | 'training' | 'saving' | 'scanning' | 'stopped';

export interface LoopState {
  ready: boolean;
  phase: Phase;
  paused: boolean;
  bootError: string | null;
  step: number;
  model: (Pointer & { schedule: string }) | null;
  schedule: { operator: string; effective: string };
  progress: { step: number; totalSteps: number; loss: number; lr: number } | null;
  lastCycle: CycleReport | null;
  evaluation: Evaluation | null;
  scan: ScanSummary | null;
  campaigns: Campaign[];
  policy: { enabled: boolean; active: boolean; decisions: readonly PolicyDecision[] };
  /** The registry's health: damaged documents found, read-only, serving a fallback. */
  registry: RegistryHealthView;
  config: ReturnType<typeof stateConfig>;
}

/** The part of the configuration the dashboard shows. */
export function stateConfig(c: ServiceConfig) {
  return {
    cycleCron: c.cycleCron,
    cycleIntervalSeconds: c.cycleIntervalSeconds,
    registry: c.REGISTRY,
    poolSubset: c.POOL_SUBSET,
    updateEpochs: c.UPDATE_EPOCHS,
    updateBatchSize: c.UPDATE_BATCH_SIZE,
    scanEvery: c.SCAN_EVERY,
    drift: c.DRIFT,
    dataset: c.DATASET,
    arch: c.MODEL_ARCH,
  };
}
