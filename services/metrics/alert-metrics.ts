/** Alerts that Alertmanager delivered to the webhook. */
import { Counter, type Registry } from 'prom-client';
import { METRICS } from '../contract.ts';

export function registerAlertMetrics(registry: Registry) {
  const alertsReceived = new Counter({
    name: METRICS.alertsReceived,
    help: 'Alerts received from Alertmanager by status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  for (const status of ['firing', 'resolved'] as const) alertsReceived.inc({ status }, 0);
  return { alertsReceived };
}
