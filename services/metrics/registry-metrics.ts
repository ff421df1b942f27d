/** The registry's health: damaged documents found, read-only serving, fallbacks, retention. */
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS, REGISTRY_FAULT_KINDS } from '../contract.ts';

export function registerRegistryMetrics(registry: Registry) {
  const faults = new Counter({
    name: METRICS.registryFaults,
    help: 'Damaged or missing registry documents found (pointer, model files, operator state).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const kind of REGISTRY_FAULT_KINDS) faults.inc({ kind }, 0);
  const readOnly = new Gauge({
    name: METRICS.registryReadOnly,
    help: '1 while the registry cannot be written and the service serves read-only.',
    registers: [registry],
  });
  readOnly.set(0);
  const fallback = new Gauge({
    name: METRICS.registryFallback,
    help: '1 while the served version is a fallback for a damaged or missing one.',
    registers: [registry],
  });
  fallback.set(0);
  const versionsRemoved = new Counter({
    name: METRICS.versionsRemoved,
    help: 'Model versions removed by the retention policy.',
    registers: [registry],
  });
  return { faults, readOnly, fallback, versionsRemoved };
}
