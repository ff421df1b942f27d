/** Alertmanager's webhook receiver: records alerts, counts them, relays them as events. */
import { Router } from 'express';
import { EVENTS } from '../contract.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { alertmanagerPayloadSchema, type AlertLog } from '../loop/alerts.ts';
import type { ServiceMetrics } from '../metrics/index.ts';
import { parseOr400 } from './validate.ts';

export function hookRoutes(alerts: AlertLog, metrics: ServiceMetrics, events: EventBus, log: Logger): Router {
  const r = Router();
  r.post('/alertmanager', (req, res) => {
    const payload = parseOr400(alertmanagerPayloadSchema, req.body, 'body');
    const stored = alerts.record(payload);
    for (const a of stored) {
      metrics.alert.alertsReceived.inc({ status: a.status });
      events.publish(EVENTS.alertReceived, a);
    }
    log.info({ alerts: stored.map((a) => `${a.name}:${a.status}`) }, 'alerts received');
    res.json({ received: stored.length });
  });
  return r;
}
