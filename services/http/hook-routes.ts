/** Alertmanager's webhook receiver: records alerts and relays them as events (metrics count them). */
import { Router } from 'express';
import { EVENTS } from '../contract.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { alertmanagerPayloadSchema, type AlertLog } from '../loop/alerts.ts';
import { parseOr400 } from './validate.ts';

export function hookRoutes(alerts: AlertLog, events: EventBus, log: Logger): Router {
  const r = Router();
  r.post('/alertmanager', (req, res) => {
    const payload = parseOr400(alertmanagerPayloadSchema, req.body, 'body');
    const stored = alerts.record(payload);
    for (const a of stored) {
      events.publish(EVENTS.alertReceived, a);
    }
    log.info({ alerts: stored.map((a) => `${a.name}:${a.status}`) }, 'alerts received');
    res.json({ received: stored.length });
  });
  return r;
}
