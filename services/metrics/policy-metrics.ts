/** The auto-mitigation policy: whether it is forcing STLR, and what it decided. */
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS, POLICY_ACTIONS } from '../contract.ts';

export function registerPolicyMetrics(registry: Registry) {
  const mitigationActive = new Gauge({
    name: METRICS.mitigationActive,
    help: '1 while the auto-mitigation policy forces STLR updates.',
    registers: [registry],
  });
  mitigationActive.set(0);
  const policyDecisions = new Counter({
    name: METRICS.policyDecisions,
    help: 'Decisions of the auto-mitigation policy.',
    labelNames: ['action'] as const,
    registers: [registry],
  });
  for (const action of POLICY_ACTIONS) policyDecisions.inc({ action }, 0);
  return { mitigationActive, policyDecisions };
}
