/** All metric groups of the service on one registry passed in by the caller (no global registry). */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerAlertMetrics } from './alert-metrics.ts';
import { registerAttackMetrics } from './attack-metrics.ts';
import { registerBuildMetrics } from './build-metrics.ts';
import { registerCycleMetrics } from './cycle-metrics.ts';
import { registerModelMetrics } from './model-metrics.ts';
import { registerPolicyMetrics } from './policy-metrics.ts';
import { registerPredictMetrics } from './predict-metrics.ts';
import { registerScanMetrics } from './scan-metrics.ts';

export interface MetricsOptions {
  version: string;
  backend: string;
  modelArch: string;
  cycleIntervalSeconds: number;
  /** Node process metrics (event-loop lag, memory); off in unit tests. */
  processMetrics?: boolean;
}

export function createServiceMetrics(registry: Registry, options: MetricsOptions) {
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
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
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
export { Registry };
