// Kept apart from queue.ts, which loads BullMQ and tfjs: the CLI's help text shows these.
export const DEFAULT_QUEUE_NAME = 'permanence-sweeps';

export interface RetryPolicy {
  /** Runs of a job before it is failed for good (crashes and errors; stalls are separate). */
  readonly attempts: number;
  /** First backoff delay; doubles after each failure. */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 10_000 };
