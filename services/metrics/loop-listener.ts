/**
 * Prometheus as a listener on the loop's events: every loop metric is set here, from the
 * event payloads, so the loop never touches a metric (like prom-client's default metrics,
 * one function that takes what it writes to).
 */
import { EVENTS } from '../contract.ts';
import type { TypedBus } from '../events.ts';
import type { LoopEventMap } from '../loop/loop-events.ts';
import type { ReplayEventMap } from '../replay/replay-events.ts';
import type { ServiceMetrics } from './index.ts';

type Listenable = Pick<TypedBus<LoopEventMap>, 'on'>;
type AlertBus = Pick<TypedBus<{ 'alert:received': { status: 'firing' | 'resolved' } }>, 'on'>;
type ReplayBus = Pick<TypedBus<ReplayEventMap>, 'on'>;

/** Subscribes the metrics to the bus; returns the unsubscribe. */
export function listenForMetrics(
  events: Listenable & AlertBus & ReplayBus,
  metrics: ServiceMetrics,
): () => void {
  const { model, attack, scan, cycle, policy, alert, replay } = metrics;
  const store = metrics.store;
  const offs = [
    events.on(EVENTS.state, (s) => {
      if (s.model) model.setPromoted(s.model.version, s.model.schedule, s.model.step);
      policy.mitigationActive.set(s.policy.active ? 1 : 0);
    }),
    events.on(EVENTS.modelPromoted, (p) => model.setPromoted(p.version, p.schedule, p.step)),
    events.on(EVENTS.modelRolledBack, (p) => model.setPromoted(p.version, p.schedule, p.step)),
    events.on(EVENTS.modelEvaluated, ({ evaluation, campaigns }) => {
      model.setEvaluation(evaluation.cleanAccuracy, evaluation.labelShares);
      for (const c of campaigns) {
        const labels = { campaign: c.id, attack: c.attack };
        const asr = evaluation.asr[c.id];
        if (asr !== undefined) attack.attackSuccess.set(labels, asr);
        attack.survivability.set(labels, c.survivability);
        attack.poisonActive.set(labels, c.injecting ? 1 : 0);
      }
    }),
    events.on(EVENTS.cycleFinished, (r) => cycle.record(r.outcome, r.seconds)),
    events.on(EVENTS.cycleFailed, (r) => cycle.record(r.outcome, r.seconds)),
    events.on(EVENTS.scanFinished, (s) => {
      const labels = { defense: s.defense };
      scan.scans.inc({ ...labels, outcome: s.flagged ? 'flagged' : 'clean' });
      scan.anomalyIndex.set(labels, s.anomalyIndex);
      scan.anomalyIndexCeiling.set(labels, s.indexCeiling);
      scan.backdoorFlagged.set(labels, s.flagged ? 1 : 0);
      scan.scanDuration.observe(labels, s.seconds);
    }),
    events.on(EVENTS.scanFailed, (s) => scan.scans.inc({ defense: s.defense, outcome: 'failed' })),
    events.on(EVENTS.poisonInjected, (c) =>
      attack.poisonActive.set({ campaign: c.id, attack: c.trigger.kind }, 1),
    ),
    events.on(EVENTS.poisonStopped, (c) =>
      attack.poisonActive.set({ campaign: c.id, attack: c.trigger.kind }, 0),
    ),
    events.on(EVENTS.poisonForgotten, (c) => attack.forget(c.id, c.trigger.kind)),
    events.on(EVENTS.policyDecision, (d) => {
      policy.policyDecisions.inc({ action: d.action });
      policy.mitigationActive.set(d.active ? 1 : 0);
    }),
    events.on(EVENTS.alertReceived, (a) => alert.alertsReceived.inc({ status: a.status })),
    events.on(EVENTS.replayFinished, (j) => replay.record(j.outcome, j.seconds)),
    events.on(EVENTS.replayFailed, (j) => replay.record(j.outcome, j.seconds)),
    events.on(EVENTS.poisonFailed, (c) =>
      attack.poisonActive.set({ campaign: c.id, attack: c.trigger.kind }, 0),
    ),
    events.on(EVENTS.registryFault, (f) => store.faults.inc({ kind: f.kind })),
    events.on(EVENTS.registryHealth, (h) => {
      store.readOnly.set(h.writable ? 0 : 1);
      store.fallback.set(h.fallback ? 1 : 0);
    }),
    events.on(EVENTS.registryPruned, (p) => store.versionsRemoved.inc(p.versions.length)),
  ];
  return () => offs.forEach((off) => off());
}
