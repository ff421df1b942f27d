/**
 * The live loop is the offline protocol run one experience per tick: with the experiment's
 * seed, the whole pool per cycle, the whole test set and a one-shot campaign pending before
 * F0 (a D0 injection), its F0 and three cycles give `permanence run`'s clean accuracy and
 * ASR exactly, on the same backend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Campaigns } from '../../services/loop/campaigns.ts';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { loadBackend } from '../../sim/backend/loader.ts';
import { parseExperimentConfig } from '../../sim/experiment/config.ts';
import { runSeed } from '../../sim/experiment/runner.ts';
import { startTestService } from '../services/helpers/service.ts';

const SEED = 3;
const UPDATES = 3;
let dataDir = '';
after(() => rm(dataDir, { recursive: true, force: true }));

test('the live loop reproduces permanence run per update (D0 injection, whole pool)', async () => {
  await loadBackend({ log: () => undefined });
  const config = parseExperimentConfig({
    seeds: [SEED],
    updates: UPDATES,
    drift: 'rotate:4',
    attack: { kind: 'badnets' },
    target: 0,
    poisonRatio: 0.1,
    injection: { mode: 'd0' },
    f0: { epochs: 1, batchSize: 128, schedule: 'stlr:0.5' },
    update: { epochs: 1, batchSize: 128, schedule: 'sgd:0.01' },
    staticBaseline: false,
  });
  const offline = await runSeed(config, SEED);

  dataDir = await mkdtemp(join(tmpdir(), 'permanence-repro-'));
  // A campaign pending when the service first starts poisons F0's D0 (experience 0); its seed
  // (which picks the poisoned images) is the experiment's.
  const { campaign } = new Campaigns(1).create({
    trigger: { kind: 'badnets' },
    ratio: 0.1,
    target: 0,
    mode: 'one-shot',
    cycles: 1,
  });
  campaign.seed = SEED;
  await new FsModelStore(dataDir).saveOperatorState('live-mnist', {
    format: 1,
    savedAt: new Date().toISOString(),
    schedule: 'sgd:0.01',
    paused: false,
    configured: { schedule: 'sgd:0.01', cyclesEnabled: true },
    campaigns: [campaign],
    policy: { remaining: 0, decisions: [] },
  });
  const service = await startTestService(
    {
      SEED: String(SEED),
      DRIFT: 'rotate:4',
      POOL_SUBSET: '4000',
      EVAL_SUBSET: '2000',
      F0_EPOCHS: '1',
      F0_BATCH_SIZE: '128',
      F0_SCHEDULE: 'stlr:0.5',
      SCHEDULE: 'sgd:0.01',
      UPDATE_EPOCHS: '1',
      UPDATE_BATCH_SIZE: '128',
    },
    { dataDir },
  );
  try {
    await service.ready;
    const live = [service.loop.state().evaluation];
    for (let i = 0; i < UPDATES; i++) {
      const report = await service.loop.runCycle('admin');
      assert.ok('outcome' in report && report.outcome === 'success', JSON.stringify(report));
      live.push(report.evaluation ?? null);
    }
    assert.deepEqual(
      live.map((e) => ({ cleanAccuracy: e?.cleanAccuracy, asr: e?.asr[campaign.id] })),
      offline.models.map((m) => ({ cleanAccuracy: m.cleanAccuracy, asr: m.asr })),
    );
    const restored = service.loop.state().campaigns.find((c) => c.id === campaign.id);
    assert.deepEqual(restored?.injectedSteps, [0]);
  } finally {
    await service.dispose();
  }
});
