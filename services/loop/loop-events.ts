/**
 * What the live loop tells the world, as typed events (names in contract.ts). Prometheus
 * (services/metrics/loop-listener.ts), socket.io (services/socket-listener.ts) and the logs
 * (services/log-listener.ts) are listeners; the loop does not know who is watching.
 */
import type { CycleOutcome, EVENTS, PolicyAction } from '../contract.ts';
import type { RegistryFault, RegistryHealthView } from './registry-health.ts';
import type { Evaluation, ModelResult, ScanSummary } from '../worker/protocol.ts';
import type { Campaign } from './campaigns.ts';
import type { LoopState } from './loop-state.ts';

export interface CycleReport {
  outcome: CycleOutcome;
  step: number;
  schedule: string;
  version?: number;
  seconds: number;
  poisoned: string[];
  evaluation?: Evaluation;
  train?: ModelResult['train'];
  baseAccuracy?: number | null;
  error?: string;
  finishedAt: string;
}

/** What a listener needs of each tracked campaign (ASR is in the evaluation, by id). */
export interface CampaignView {
  id: string;
  attack: string;
  survivability: number;
  /** Its poison still goes into updates. */
  injecting: boolean;
}

export interface PolicyDecisionEvent {
  at: string;
  action: PolicyAction;
  reason: string;
  remaining: number;
  /** Whether the policy forces STLR after this decision. */
  active: boolean;
}

export interface LoopEventMap {
  'cycle:started': { step: number; schedule: string; baseVersion: number; poison: string[] };
  'cycle:progress': {
    phase: string;
    driftStep: number;
    step: number;
    totalSteps: number;
    epoch: number;
    loss: number;
    lr: number;
  };
  'cycle:finished': CycleReport;
  'cycle:failed': CycleReport;
  /** An update is promoted and served (the version served at start is in the `state` event). */
  'model:promoted': { version: number; step: number; schedule: string; reason: 'cycle' };
  'model:rolledback': { version: number; step: number; schedule: string };
  'model:evaluated': { evaluation: Evaluation; campaigns: CampaignView[] };
  'scan:finished': ScanSummary & { version: number | undefined; step: number };
  'scan:failed': { defense: string; version: number | undefined; step: number; error: string };
  'poison:injected': Campaign;
  'poison:stopped': Campaign;
  'poison:forgotten': Campaign;
  'poison:failed': Campaign;
  'registry:fault': RegistryFault;
  'registry:health': RegistryHealthView;
  'registry:pruned': { versions: number[] };
  'schedule:changed': { schedule: string; effective: string };
  'policy:decision': PolicyDecisionEvent;
  state: LoopState;
}

/** Every loop event name of contract.ts has a payload type here, and no other name (replay's are in services/replay). */
type LoopEventName = Exclude<(typeof EVENTS)[keyof typeof EVENTS], 'alert:received' | `replay:${string}`>;
export type AssertSameKeys = [LoopEventName] extends [keyof LoopEventMap]
  ? [keyof LoopEventMap] extends [LoopEventName]
    ? true
    : never
  : never;
export const LOOP_EVENTS_COVERED: AssertSameKeys = true;
