/** Health of the update loop: outcomes, durations, last success, configured interval. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { CYCLE_OUTCOMES, METRICS, type CycleOutcome } from '../contract.ts';
import { SECONDS_TO_MINUTES } from './buckets.ts';

export function registerCycleMetrics(registry: Registry, intervalSeconds: number) {
  const cycles = new Counter({
    name: METRICS.cycles,
    help: 'Update cycles by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Zero-initialise every outcome so rate() and absent() work before the first failure.
  for (const outcome of CYCLE_OUTCOMES) cycles.inc({ outcome }, 0);
  const cycleDuration = new Histogram({
    name: METRICS.cycleDuration,
    help: 'Wall time of an update cycle.',
    labelNames: ['outcome'] as const,
    buckets: SECONDS_TO_MINUTES,
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: METRICS.lastSuccess,
    help: 'Unix time of the last successful cycle.',
    registers: [registry],
  });
  const cycleInterval = new Gauge({
    name: METRICS.cycleInterval,
    help: 'Configured seconds between cycles.',
    registers: [registry],
  });
  cycleInterval.set(intervalSeconds);
  return {
    cycles,
    cycleDuration,
    lastSuccess,
    cycleInterval,
    record(outcome: CycleOutcome, seconds: number): void {
      cycles.inc({ outcome });
      cycleDuration.observe({ outcome }, seconds);
      if (outcome === 'success') lastSuccess.set(Date.now() / 1000);
    },
  };
}
