/** `permanence registry gc` on a real filesystem registry, through bin/permanence.mjs. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { draft } from './helpers/store-contract.ts';

let root = '';
after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

function gc(...args: string[]) {
  return spawnSync(process.execPath, ['bin/permanence.mjs', 'registry', 'gc', '--data-dir', root, ...args], {
    encoding: 'utf8',
  });
}

it('removes old versions, keeping the pointer, the recent ones and those a campaign poisoned', async () => {
  root = await mkdtemp(join(tmpdir(), 'permanence-gc-'));
  const store = new FsModelStore(root);
  await store.init();
  for (let i = 0; i < 6; i++) await store.saveVersion('live-mnist', draft(i, [i]));
  await store.promote('live-mnist', 6, 5, 'cycle');
  const campaign = {
    id: 'c0123abcd',
    trigger: { kind: 'badnets', size: 3 },
    ratio: 0.1,
    target: 0,
    mode: 'one-shot',
    cycles: 1,
    seed: 7,
    createdAt: '2026-12-01T00:00:00.000Z',
    status: 'finished',
    injectedSteps: [2],
    injectedVersions: [2],
    asr: [],
    survivability: 0,
    decayed: false,
  };
  await store.saveOperatorState('live-mnist', {
    format: 1,
    savedAt: '2026-12-01T00:00:00.000Z',
    schedule: 'sgd:0.03',
    paused: false,
    configured: { schedule: 'sgd:0.03', cyclesEnabled: true },
    campaigns: [campaign],
    policy: { remaining: 0, decisions: [] },
  });

  const dry = gc('--keep-recent', '2', '--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /would remove 3 version\(s\): v1, v3, v4; 3 kept/);
  assert.deepEqual(await store.listVersionNumbers('live-mnist'), [1, 2, 3, 4, 5, 6]);

  const run = gc('--keep-recent', '2');
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(await store.listVersionNumbers('live-mnist'), [2, 5, 6]);

  assert.equal(gc('--keep-recent', 'two').status, 2, 'a bad flag is a usage error');
});
