/**
 * The training worker's client with the real worker thread: close() is final. A cycle that
 * reached the trainer after the service stopped used to start a fresh worker that nothing
 * terminated, so the process never exited (the server closed, the worker idle).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { EventBus } from '../../services/events.ts';
import { createLogger } from '../../services/log.ts';
import { Campaigns } from '../../services/loop/campaigns.ts';
import { LiveLoop } from '../../services/loop/live-loop.ts';
import { MitigationPolicy } from '../../services/loop/policy.ts';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import type { Pointer } from '../../services/registry/model-store.ts';
import { TrainerClient, TrainerClosedError, workerSetup } from '../../services/worker/trainer-client.ts';
import { FAST_ENV } from './helpers/service.ts';

const log = createLogger('silent');

function trainerFor(config: ReturnType<typeof loadConfig>): TrainerClient {
  return new TrainerClient(workerSetup(config), log);
}

test('after close(), start() and requests reject instead of starting a new worker', async () => {
  const trainer = trainerFor(loadConfig({ ...FAST_ENV, DATA_DIR: tmpdir() }));
  try {
    await trainer.start();
    await trainer.close();
    await assert.rejects(trainer.start(), TrainerClosedError);
    await assert.rejects(trainer.evaluate(Uint8Array.of(1), 0, []), TrainerClosedError);
  } finally {
    // Ends a worker the calls above would have started, so a failure cannot hang the file.
    await trainer.close();
  }
});

/** Holds the pointer read a cycle starts with until released. */
class GatedStore extends FsModelStore {
  private gate: { entered: () => void; released: Promise<void> } | undefined;

  /** Resolves when the next getPromoted() is waiting; `release` lets it go on. */
  hold(): { entered: Promise<void>; release: () => void } {
    let release = () => undefined as void;
    const released = new Promise<void>((r) => (release = r));
    let entered = () => undefined as void;
    const waiting = new Promise<void>((r) => (entered = r));
    this.gate = { entered, released };
    return { entered: waiting, release };
  }

  override async getPromoted(name: string): Promise<Pointer | undefined> {
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      gate.entered();
      await gate.released;
    }
    return super.getPromoted(name);
  }
}

test('a cycle that reaches the trainer after stop() fails; it does not train on a new worker', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'permanence-trainer-close-'));
  const config = loadConfig({ ...FAST_ENV, DATA_DIR: dir });
  const store = new GatedStore(dir);
  const trainer = trainerFor(config);
  const loop = new LiveLoop({
    config,
    store,
    trainer,
    predictor: { swap: () => undefined },
    events: new EventBus(),
    log,
    campaigns: new Campaigns(config.MAX_CAMPAIGNS),
    policy: new MitigationPolicy({ enabled: false, forcedUpdates: 2, forcedSchedule: 'stlr:0.5' }),
  });
  try {
    await loop.bootstrap();
    const { entered, release } = store.hold();
    const cycle = loop.runCycle('admin');
    // The cycle checks the pointer before it trains: the service stops right then, and
    // stop() terminates the worker first.
    await entered;
    await trainer.close();
    release();
    const report = await cycle;
    assert.ok('outcome' in report, 'the cycle ran');
    assert.equal(report.outcome, 'failed');
    assert.equal(report.error, new TrainerClosedError().message);
    assert.equal(loop.currentStep(), 0, 'nothing was promoted');
  } finally {
    await trainer.close();
    await loop.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
