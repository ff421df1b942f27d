/** The logs as a listener on the service's events: what an operator reads in the journal. */
import { EVENTS } from './contract.ts';
import type { EventBus } from './events.ts';
import type { Logger } from './log.ts';

export function logEvents(events: EventBus, log: Logger): () => void {
  const offs = [
    events.on(EVENTS.cycleFailed, (r) =>
      log.error({ step: r.step, error: r.error }, 'cycle failed; the served model is unchanged'),
    ),
    events.on(EVENTS.cycleFinished, (r) => {
      if (r.outcome === 'rejected')
        log.warn(
          { version: r.version, train: r.train, baseAccuracy: r.baseAccuracy },
          'update diverged: kept, not promoted',
        );
    }),
    events.on(EVENTS.scanFailed, (s) => log.error({ scan: s }, 'scan failed')),
    events.on(EVENTS.registryFault, (f) =>
      log.error({ fault: f }, `registry damaged: ${f.detail}; ${f.action}`),
    ),
    events.on(EVENTS.poisonFailed, (c) =>
      log.error({ campaign: c.id, failure: c.failure }, 'campaign failed: its poison does not fit; stopped'),
    ),
    events.on(EVENTS.registryPruned, ({ versions }) =>
      log.info({ versions }, 'old versions removed (retention)'),
    ),
    events.on(EVENTS.policyDecision, (decision) => log.info({ decision }, 'auto-mitigation decision')),
    events.on(EVENTS.scheduleChanged, ({ schedule }) => log.info({ schedule }, 'update schedule changed')),
    events.onAny((name, payload) => {
      if (name !== EVENTS.cycleProgress && name !== EVENTS.state)
        log.debug({ event: name, payload }, 'event');
    }),
  ];
  return () => offs.forEach((off) => off());
}
