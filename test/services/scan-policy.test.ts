/**
 * Scans on their cadence in the worker (Neural Cleanse), their metrics, and the observable-only
 * auto-mitigation policy acting on them.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { METRICS } from '../../services/contract.ts';
import type { CycleReport } from '../../services/loop/live-loop.ts';
import { adminHeaders, metricValue, startTestService, type TestService } from './helpers/service.ts';

let svc: TestService | undefined;
after(async () => {
  await svc?.dispose();
});

interface State {
  scan: { defense: string; anomalyIndex: number; flagged: boolean } | null;
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
  assert.equal(metricValue(metrics, METRICS.backdoorFlagged, 'defense="nc"'), state.scan.flagged ? 1 : 0);
  assert.equal(metricValue(metrics, 'permanence_scan_duration_seconds_count', 'defense="nc"'), 1);

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
