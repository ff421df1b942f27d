/** What replay jobs tell the world (names in contract.ts): socket.io and Prometheus listen. */
import type { EVENTS, ReplayOutcome } from '../contract.ts';
import type { ReplayJobView } from './replay-jobs.ts';

export interface ReplayEventMap {
  'replay:queued': ReplayJobView;
  'replay:progress': ReplayJobView;
  'replay:finished': ReplayJobView & { outcome: Extract<ReplayOutcome, 'succeeded'>; seconds: number };
  'replay:failed': ReplayJobView & { outcome: Extract<ReplayOutcome, 'failed'>; seconds: number };
}

/** Every replay event name of contract.ts has a payload type here, and no other name. */
type ReplayEventName = Extract<(typeof EVENTS)[keyof typeof EVENTS], `replay:${string}`>;
export type AssertReplayKeys = [ReplayEventName] extends [keyof ReplayEventMap]
  ? [keyof ReplayEventMap] extends [ReplayEventName]
    ? true
    : never
  : never;
export const REPLAY_EVENTS_COVERED: AssertReplayKeys = true;
