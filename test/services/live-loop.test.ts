/**
 * The loop alone, with a fake trainer (no worker thread, no tfjs) over a real filesystem
 * registry, a real event bus and the real Prometheus listener: busy refusals (and their 409),
 * rollback, pause and a failed cycle, each in milliseconds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import express from 'express';
import { Registry } from 'prom-client';
import { loadConfig } from '../../services/config.ts';
import { METRICS } from '../../services/contract.ts';
import { EventBus, type EventName } from '../../services/events.ts';
import { adminRoutes } from '../../services/http/admin-routes.ts';
import { errorHandler } from '../../services/http/errors.ts';
import { createLogger } from '../../services/log.ts';
import { Campaigns } from '../../services/loop/campaigns.ts';
import { BusyError, RejectedVersionError } from '../../services/loop/errors.ts';
import { LiveLoop, type CycleReport } from '../../services/loop/live-loop.ts';
import { MitigationPolicy } from '../../services/loop/policy.ts';
import { createServiceMetrics } from '../../services/metrics/index.ts';
import { listenForMetrics } from '../../services/metrics/loop-listener.ts';
import { InvalidRefError, loadAliases, setAlias } from '../../services/registry/aliases.ts';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { VersionNotFoundError } from '../../services/registry/model-store.ts';
import { loadScans } from '../../services/registry/scans.ts';
import { aliasMap } from '../../sim/models/registry-aliases.ts';
import type { Evaluation, ModelResult, Trainer, UpdateRequest } from '../../services/worker/protocol.ts';
import { metricValue } from './helpers/service.ts';

/** A trainer whose updates resolve when the test says so; each model's bytes name its step. */
class FakeTrainer implements Trainer {
  accuracy = 0.9;
  failNext: string | undefined;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  /** The next update waits until `release()`. */
  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  start = async () => ({ height: 28, width: 28, channels: 1, numClasses: 10, backend: 'fake' });
  close = async () => undefined;
  scan = async () => ({
    defense: 'nc',
    anomalyIndex: 1,
    indexCeiling: 3,
    flagged: false,
    flaggedLabels: [],
    seconds: 0,
  });
  evaluate = async (_model: Uint8Array, step: number): Promise<Evaluation> => this.evaluation(step);

  async trainInitial(): Promise<ModelResult> {
    return this.result(0, null);
  }

  async update(request: UpdateRequest): Promise<ModelResult> {
    await this.gate;
    if (this.failNext) {
      const message = this.failNext;
      this.failNext = undefined;
      throw new Error(message);
    }
    const result = this.result(request.step, 0.9);
    // Every known trigger hits 80% of its images.
    const asr = Object.fromEntries(request.triggers.map((t) => [t.campaign, 0.8]));
    return { ...result, evaluation: { ...result.evaluation, asr } };
  }

  private evaluation(step: number): Evaluation {
    return { step, cleanAccuracy: this.accuracy, labelShares: new Array(10).fill(0.1), asr: {}, seconds: 0 };
  }

  private result(step: number, baseAccuracy: number | null): ModelResult {
    return {
      model: Uint8Array.of(step),
      train: { steps: 1, loss: 0.1, diverged: false, seconds: 0, poisoned: 0, images: 1 },
      evaluation: this.evaluation(step),
      baseAccuracy,
    };
  }
}

describe('LiveLoop with a fake trainer', () => {
  let dir: string;
  let trainer: FakeTrainer;
  let loop: LiveLoop;
  let store: FsModelStore;
  let registry: Registry;
  let served: number[];
  let events: EventName[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'permanence-loop-'));
    const config = loadConfig({
      DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN: 'test-admin-token-0123456789',
    });
    const bus = new EventBus();
    registry = new Registry();
    const metrics = createServiceMetrics(registry, {
      version: '1',
      backend: 'fake',
      modelArch: 'small-cnn',
      cycleIntervalSeconds: 30,
    });
    listenForMetrics(bus, metrics);
    events = [];
    bus.onAny((name) => events.push(name));
    served = [];
    trainer = new FakeTrainer();
    store = new FsModelStore(dir);
    loop = new LiveLoop({
      config,
      store,
      trainer,
      predictor: { swap: (_bytes, version) => served.push(version) },
      events: bus,
      log: createLogger('silent'),
      campaigns: new Campaigns(5),
      policy: new MitigationPolicy({ enabled: false, forcedUpdates: 2, forcedSchedule: 'stlr:0.5' }),
    });
    await loop.bootstrap();
  });

  afterEach(async () => {
    await loop.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second cycle, a scan and a rollback while one runs, with 409 over HTTP', async () => {
    const app = express()
      .use(express.json())
      .use('/admin', adminRoutes(loop, createLogger('silent')))
      .use(errorHandler(createLogger('silent')));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    try {
      trainer.hold();
      const running = loop.runCycle('admin');
      assert.deepEqual(await loop.runCycle('admin'), { skipped: 'busy' });
      assert.deepEqual(loop.startScan(), { accepted: false, reason: 'busy' });
      await assert.rejects(loop.rollback(1), BusyError);
      const post = (path: string) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
      assert.equal((await post('/cycle')).status, 409);
      assert.equal((await post('/scan')).status, 409);
      trainer.release();
      assert.equal(((await running) as CycleReport).outcome, 'success');
      assert.equal((await post('/cycle')).status, 202);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('rolls back to an earlier version, keeps the drift step, refuses a rejected one', async () => {
    await loop.runCycle('admin');
    await loop.runCycle('admin');
    assert.equal(loop.state().model?.version, 3);
    const pointer = await loop.rollback(1);
    assert.equal(pointer.version, 1);
    assert.equal(loop.currentStep(), 2);
    assert.equal(served.at(-1), 1);
    assert.ok(events.includes('model:rolledback'));
    assert.equal(metricValue(await registry.metrics(), METRICS.modelInfo, 'model_version="1"'), 1);
    // An update whose accuracy collapses is saved as rejected and cannot be rolled back to.
    trainer.accuracy = 0.1;
    const rejected = (await loop.runCycle('admin')) as CycleReport;
    assert.equal(rejected.outcome, 'rejected');
    await assert.rejects(loop.rollback(rejected.version ?? -1), RejectedVersionError);
    assert.equal(loop.state().model?.version, 1);
  });

  it('rolls back through aliases: previous, champion, a user alias, <name>@<alias>', async () => {
    await loop.runCycle('admin');
    await loop.runCycle('admin');
    assert.equal((await loop.rollback('previous')).version, 2);
    // A rollback is a promotion: the version it left is now `previous`.
    assert.deepEqual(aliasMap(await loadAliases(store, loop.name)), { champion: 2, previous: 3 });
    assert.equal((await loop.rollback(`${loop.name}@previous`)).version, 3);
    await setAlias(store, loop.name, 'known-good', 1);
    assert.equal((await loop.rollback('known-good')).version, 1);
    assert.equal(served.at(-1), 1);
    assert.equal((await loop.rollback('v2')).version, 2);
    await assert.rejects(loop.rollback('staging'), VersionNotFoundError);
    await assert.rejects(loop.rollback('other@champion'), InvalidRefError);
    assert.equal(loop.state().model?.version, 2, 'a refused rollback serves what it served');
  });

  it("records every scan in the scanned version's history", async () => {
    await loop.scanNow();
    await loop.runCycle('admin');
    await loop.scanNow();
    await loop.scanNow();
    assert.deepEqual(
      (await loadScans(store, loop.name, 1)).scans.map((s) => [s.step, s.defense]),
      [[0, 'nc']],
    );
    const v2 = await loadScans(store, loop.name, 2);
    assert.equal(v2.scans.length, 2);
    assert.ok(v2.scans.every((s) => s.step === 1 && s.anomalyIndex === 1 && !s.flagged));
  });

  it('skips cron ticks while paused, still runs admin cycles, and persists the pause', async () => {
    await loop.setPaused(true);
    assert.deepEqual(await loop.runCycle('cron'), { skipped: 'paused' });
    assert.equal(((await loop.runCycle('admin')) as CycleReport).outcome, 'success');
    assert.equal(((await store.loadOperatorState(loop.name)) as { paused: boolean }).paused, true);
    await loop.setPaused(false);
    assert.equal(((await loop.runCycle('cron')) as CycleReport).outcome, 'success');
    assert.equal(loop.currentStep(), 2);
  });

  it('a failed cycle keeps the served model and step, is counted, and the next one succeeds', async () => {
    trainer.failNext = 'worker crashed';
    const failed = (await loop.runCycle('admin')) as CycleReport;
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.error, 'worker crashed');
    assert.equal(loop.currentStep(), 0);
    assert.deepEqual(served, [1]);
    assert.ok(events.includes('cycle:failed'));
    const text = await registry.metrics();
    assert.equal(metricValue(text, METRICS.cycles, 'outcome="failed"'), 1);
    assert.equal(metricValue(text, METRICS.cycles, 'outcome="success"'), 0);
    assert.equal(((await loop.runCycle('admin')) as CycleReport).outcome, 'success');
    assert.equal(loop.currentStep(), 1);
    assert.equal(metricValue(await registry.metrics(), METRICS.cleanAccuracy), 0.9);
  });

  it('campaign metrics follow the events: injecting, ASR, then finished', async () => {
    const campaign = await loop.createCampaign({
      trigger: { kind: 'badnets' },
      ratio: 0.1,
      target: 0,
      mode: 'one-shot',
      cycles: 1,
    });
    const labels = `campaign="${campaign.id}",attack="badnets"`;
    assert.equal(metricValue(await registry.metrics(), METRICS.poisonActive, labels), 1);
    const report = (await loop.runCycle('admin')) as CycleReport;
    assert.deepEqual(report.poisoned, [campaign.id]);
    const text = await registry.metrics();
    assert.equal(metricValue(text, METRICS.attackSuccess, labels), 0.8);
    assert.equal(metricValue(text, METRICS.poisonActive, labels), 0);
    // A trigger larger than the image is refused before it reaches the trainer.
    await assert.rejects(
      loop.createCampaign({
        trigger: { kind: 'badnets', size: 40 },
        ratio: 0.1,
        target: 0,
        mode: 'one-shot',
        cycles: 1,
      }),
      /body\.trigger\.size/,
    );
  });
});
