/**
 * Resilience of the live loop with the real worker and a real S3 server: a registry outage
 * fails the cycle and leaves the served model alone; a diverged update is kept, not promoted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { METRICS } from '../../services/contract.ts';
import type { CycleReport } from '../../services/loop/live-loop.ts';
import { S3_CREDENTIALS, startS3rver, type RunningS3 } from './helpers/s3rver.ts';
import { adminHeaders, metricValue, startTestService, type TestService } from './helpers/service.ts';

let s3Dir: string;
let s3: RunningS3;
let svc: TestService;

before(async () => {
  s3Dir = await mkdtemp(join(tmpdir(), 'permanence-loop-s3-'));
  s3 = await startS3rver(s3Dir);
  svc = await startTestService({
    REGISTRY: 's3',
    S3_ENDPOINT: '127.0.0.1',
    S3_PORT: String(s3.port),
    S3_ACCESS_KEY: S3_CREDENTIALS.accessKey,
    S3_SECRET_KEY: S3_CREDENTIALS.secretKey,
    S3_BUCKET: 'resilience',
  });
  await svc.ready;
});
after(async () => {
  await svc?.dispose();
  await s3?.stop();
  await rm(s3Dir, { recursive: true, force: true });
});

async function predictVersion(): Promise<number> {
  const res = await fetch(`${svc.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image: new Array(784).fill(0) }),
  });
  return ((await res.json()) as { modelVersion: number }).modelVersion;
}

async function metrics(): Promise<string> {
  return (await fetch(`${svc.url}/metrics`)).text();
}

describe('live loop resilience', () => {
  it('a registry outage fails the cycle, keeps serving, and the next tick succeeds', async () => {
    const ok = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(ok.outcome, 'success');
    const served = await predictVersion();
    assert.equal(served, ok.version);

    const port = s3.port;
    await s3.stop();
    const failed = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(failed.outcome, 'failed');
    assert.equal(await predictVersion(), served);
    assert.equal((await fetch(`${svc.url}/readyz`)).status, 200);
    assert.equal(svc.loop.currentStep(), ok.step);
    assert.equal(metricValue(await metrics(), METRICS.cycles, 'outcome="failed"'), 1);

    s3 = await startS3rver(s3Dir, port);
    const retried = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(retried.outcome, 'success');
    assert.equal(retried.step, ok.step + 1);
    assert.equal(await predictVersion(), retried.version);
  });

  it('a diverged update is saved as rejected, not promoted, and counted', async () => {
    const served = await predictVersion();
    const res = await fetch(`${svc.url}/admin/schedule`, {
      method: 'PUT',
      headers: adminHeaders(),
      body: JSON.stringify({ schedule: 'sgd:10' }),
    });
    assert.equal(res.status, 200);
    const report = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(report.outcome, 'rejected', JSON.stringify(report));
    assert.notEqual(report.version, served);
    assert.equal(await predictVersion(), served);
    const manifest = await svc.store.getManifest('live-mnist', report.version!);
    assert.equal(manifest?.status, 'rejected');
    assert.equal((await svc.store.getPromoted('live-mnist'))?.version, served);
    assert.equal(metricValue(await metrics(), METRICS.cycles, 'outcome="rejected"'), 1);
    const rollback = await fetch(`${svc.url}/admin/rollback`, {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ version: report.version }),
    });
    assert.equal(rollback.status, 409);
  });

  it('rolls back to an earlier version and keeps the drift step', async () => {
    const step = svc.loop.currentStep();
    const res = await fetch(`${svc.url}/admin/rollback`, {
      method: 'POST',
      headers: adminHeaders(),
      body: JSON.stringify({ version: 1 }),
    });
    assert.equal(res.status, 200);
    assert.equal(await predictVersion(), 1);
    assert.equal((await svc.store.getPromoted('live-mnist'))?.step, step);
    assert.equal(svc.loop.currentStep(), step);
  });

  it('refuses operator changes with 503 until the registry is reachable, then accepts them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'permanence-late-s3-'));
    const late = await startS3rver(dir);
    const port = late.port;
    await late.stop(); // nothing listens on the port while the service starts
    const starting = await startTestService({
      REGISTRY: 's3',
      S3_ENDPOINT: '127.0.0.1',
      S3_PORT: String(port),
      S3_ACCESS_KEY: S3_CREDENTIALS.accessKey,
      S3_SECRET_KEY: S3_CREDENTIALS.secretKey,
      S3_BUCKET: 'late',
    });
    let revived: RunningS3 | undefined;
    try {
      const pause = () => fetch(`${starting.url}/admin/pause`, { method: 'POST', headers: adminHeaders() });
      const refused = await pause();
      assert.equal(refused.status, 503);
      assert.match(((await refused.json()) as { error: string }).error, /operator state/);
      assert.equal(starting.loop.state().paused, false, 'nothing changed');
      revived = await startS3rver(dir, port);
      await starting.ready;
      assert.equal((await pause()).status, 200);
      assert.equal(starting.loop.state().paused, true);
    } finally {
      await starting.dispose();
      await revived?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
