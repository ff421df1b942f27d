/** Observable results of backdoor scans (a defender can run these). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS } from '../contract.ts';
import { SECONDS_TO_MINUTES } from './buckets.ts';

export function registerScanMetrics(registry: Registry) {
  const anomalyIndex = new Gauge({
    name: METRICS.anomalyIndex,
    help: 'Anomaly index of the last scan.',
    labelNames: ['defense'] as const,
    registers: [registry],
  });
  const anomalyIndexCeiling = new Gauge({
    name: METRICS.anomalyIndexCeiling,
    help: 'Index a zero-norm trigger would reach in the last scan; at or below 2 the scan cannot flag this model.',
    labelNames: ['defense'] as const,
    registers: [registry],
  });
  const backdoorFlagged = new Gauge({
    name: METRICS.backdoorFlagged,
    help: '1 when the last scan flagged the model as backdoored.',
    labelNames: ['defense'] as const,
    registers: [registry],
  });
  const scanDuration = new Histogram({
    name: METRICS.scanDuration,
    help: 'Wall time of a backdoor scan.',
    labelNames: ['defense'] as const,
    buckets: SECONDS_TO_MINUTES,
    registers: [registry],
  });
  const scans = new Counter({
    name: METRICS.scans,
    help: 'Backdoor scans run, by outcome (clean, flagged, failed).',
    labelNames: ['defense', 'outcome'] as const,
    registers: [registry],
  });
  return { anomalyIndex, anomalyIndexCeiling, backdoorFlagged, scanDuration, scans };
}
