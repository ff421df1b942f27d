/**
 * Scans on their cadence in the worker (Neural Cleanse), their metrics, and the observable-only
 * auto-mitigation policy acting on them.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { EVENTS, METRICS } from '../../services/contract.ts';
import type { CycleReport } from '../../services/loop/live-loop.ts';
import { adminHeaders, metricValue, startTestService, type TestService } from './helpers/service.ts';

let svc: TestService | undefined;
after(async () => {
  await svc?.dispose();
});

interface State {
  scan: { defense: string; anomalyIndex: number; indexCeiling: number; flagged: boolean } | null;
  policy: { active: boolean; decisions: { action: string }[] };
  schedule: { operator: string; effective: string };
}

it('scans every promoted update and lets a flag force STLR updates', async (t) => {
  svc = await startTestService({
    POOL_SUBSET: '1000',
    UPDATE_EPOCHS: '3',
    SCAN_EVERY: '1',
    SCAN_SUBSET: '200',
    SCAN_MAX_EPOCHS: '10',
    POLICY: 'scan-stlr',
    POLICY_STLR_UPDATES: '1',
  });
  await svc.ready;
  const res = await fetch(`${svc.url}/admin/poison`, {
    method: 'POST',
    headers: adminHeaders(),
    body: JSON.stringify({ attack: 'badnets', ratio: 0.2 }),
  });
  assert.equal(res.status, 202);
  const report = (await svc.loop.runCycle('admin')) as CycleReport;
  assert.equal(report.outcome, 'success');

  // The cycle ran its scan before returning.
  const state = (await (await fetch(`${svc.url}/api/state`)).json()) as State;
  assert.ok(state.scan, 'a scan ran');
  assert.equal(state.scan.defense, 'nc');
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  assert.equal(metricValue(metrics, METRICS.anomalyIndex, 'defense="nc"'), state.scan.anomalyIndex);
  assert.equal(metricValue(metrics, METRICS.anomalyIndexCeiling, 'defense="nc"'), state.scan.indexCeiling);
  assert.ok(
    state.scan.indexCeiling >= state.scan.anomalyIndex,
    'a zero-norm trigger scores at least as high',
  );
  assert.equal(metricValue(metrics, METRICS.backdoorFlagged, 'defense="nc"'), state.scan.flagged ? 1 : 0);
  assert.equal(metricValue(metrics, 'permanence_scan_duration_seconds_count', 'defense="nc"'), 1);
  const outcome = state.scan.flagged ? 'flagged' : 'clean';
  assert.equal(metricValue(metrics, METRICS.scans, `defense="nc",outcome="${outcome}"`), 1);

  t.diagnostic(`anomaly index ${state.scan.anomalyIndex.toFixed(2)}, flagged ${state.scan.flagged}`);
  // The policy follows the observable flag only.
  assert.equal(state.policy.active, state.scan.flagged);
  assert.equal(state.schedule.effective, state.scan.flagged ? 'stlr:0.5:0.1' : state.schedule.operator);
  assert.equal(metricValue(metrics, METRICS.mitigationActive), state.scan.flagged ? 1 : 0);
  if (state.scan.flagged) {
    const next = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(next.schedule, 'stlr:0.5:0.1');
    const after = (await (await fetch(`${svc.url}/api/state`)).json()) as State;
    // The forced update ran, then the policy released before that update's own scan.
    assert.deepEqual(after.policy.decisions.map((d) => d.action).slice(0, 2), ['force_stlr', 'release']);
  }
});

it('a failed scan is counted and published as scan:failed, and the served model stays', async () => {
  assert.ok(svc, 'the first test started the service');
  const served = svc.loop.state().model?.version;
  // Make the worker's next scan fail, as a crashed or corrupt scan would.
  const loop = svc.loop as unknown as { d: { trainer: { scan: () => Promise<never> } } };
  const realScan = loop.d.trainer.scan;
  loop.d.trainer.scan = () => Promise.reject(new Error('injected scan failure'));
  const events: unknown[] = [];
  const off = svc.events.on(EVENTS.scanFailed, (p) => events.push(p));
  try {
    await assert.rejects(svc.loop.scanNow(), /injected scan failure/);
  } finally {
    off();
    loop.d.trainer.scan = realScan;
  }
  assert.deepEqual(events, [
    { defense: 'nc', version: served, step: svc.loop.currentStep(), error: 'injected scan failure' },
  ]);
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  assert.equal(metricValue(metrics, METRICS.scans, 'defense="nc",outcome="failed"'), 1);
  assert.equal(svc.loop.state().phase, 'idle');
  assert.equal(svc.loop.state().model?.version, served);
});
