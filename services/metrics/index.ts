/** All metric groups of the service on one registry passed in by the caller (no global registry). */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerAlertMetrics } from './alert-metrics.ts';
import { registerAttackMetrics } from './attack-metrics.ts';
import { registerBuildMetrics } from './build-metrics.ts';
import { registerCycleMetrics } from './cycle-metrics.ts';
import { registerModelMetrics } from './model-metrics.ts';
import { registerPolicyMetrics } from './policy-metrics.ts';
import { registerPredictMetrics } from './predict-metrics.ts';
import { registerReplayMetrics } from './replay-metrics.ts';
import { registerRegistryMetrics } from './registry-metrics.ts';
import { registerScanMetrics } from './scan-metrics.ts';

export interface MetricsOptions {
  version: string;
  backend: string;
  modelArch: string;
  cycleIntervalSeconds: number;
  /** Node process metrics (event-loop lag, memory); off in unit tests. */
  processMetrics?: boolean;
}

/**
 * prom-client's default gauges that end in _total, which the exposition format reserves for
 * counters (`promtool check metrics` rejects them). Each is the sum over its `type` label of
 * the gauge of the same name without _total, which stays: sum(nodejs_active_handles).
 */
export const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

export function createServiceMetrics(registry: Registry, options: MetricsOptions) {
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    for (const name of DROPPED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  }
  return {
    registry,
    build: registerBuildMetrics(registry, options),
    model: registerModelMetrics(registry),
    attack: registerAttackMetrics(registry),
    scan: registerScanMetrics(registry),
    cycle: registerCycleMetrics(registry, options.cycleIntervalSeconds),
    predict: registerPredictMetrics(registry),
    policy: registerPolicyMetrics(registry),
    alert: registerAlertMetrics(registry),
    replay: registerReplayMetrics(registry),
    store: registerRegistryMetrics(registry),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
export { Registry };
