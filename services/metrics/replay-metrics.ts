/** Counterfactual replay jobs of the service (POST /admin/replay): outcomes and wall time. */
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS, REPLAY_OUTCOMES, type ReplayOutcome } from '../contract.ts';
import { SECONDS_TO_MINUTES } from './buckets.ts';

export function registerReplayMetrics(registry: Registry) {
  const jobs = new Counter({
    name: METRICS.replayJobs,
    help: 'Counterfactual replay jobs finished, by outcome (succeeded, failed).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: METRICS.replayDuration,
    help: 'Wall time of a replay job, from its start (time queued excluded).',
    buckets: SECONDS_TO_MINUTES,
    registers: [registry],
  });
  // Every outcome is exported from the start (0), so rate() and alert rules see the series.
  for (const outcome of REPLAY_OUTCOMES) jobs.inc({ outcome }, 0);
  return {
    jobs,
    duration,
    record(outcome: ReplayOutcome, seconds: number): void {
      jobs.inc({ outcome });
      duration.observe(seconds);
    },
  };
}
