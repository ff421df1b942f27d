/**
 * `permanence scan --model <name>@<alias>` reads the aliases the service writes: a registry
 * written by the real FsModelStore (promotions, a rollback, a user alias) is resolved by the
 * CLI's reader, and the bytes it returns are the named version's, checked against its manifest.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setAlias } from '../../services/registry/aliases.ts';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { readModelRef, registryVersion } from '../../sim/cli/model-ref.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'permanence-ref-'));
  const store = new FsModelStore(root);
  await store.init();
  for (const step of [0, 1, 2]) {
    await store.saveVersion('live', {
      step,
      parentVersion: step === 0 ? null : step,
      schedule: 'sgd:0.01',
      status: 'candidate',
      files: { 'model.bin': Uint8Array.of(10 + step) },
      metrics: {},
    });
  }
  await store.promote('live', 1, 0, 'initial');
  await store.promote('live', 3, 2, 'cycle');
  await store.promote('live', 2, 2, 'rollback');
  await setAlias(store, 'live', 'known-good', 1);
});
after(() => rm(root, { recursive: true, force: true }));

describe('model references with aliases', () => {
  it('resolves champion, previous, a user alias and v<N>; leaves paths alone', async () => {
    assert.deepEqual(await registryVersion('live@champion', root), { name: 'live', version: 2 });
    assert.deepEqual(await registryVersion('live@previous', root), { name: 'live', version: 3 });
    assert.deepEqual(await registryVersion('live@known-good', root), { name: 'live', version: 1 });
    assert.deepEqual(await registryVersion('live@v3', root), { name: 'live', version: 3 });
    assert.equal(await registryVersion('runs/x/F0.bin', root), undefined);
    assert.equal(await registryVersion('previous', root), undefined, 'a bare word is a path');
  });

  it("reads the aliased version's bytes, verified against its manifest", async () => {
    const ref = await readModelRef('live@previous', root);
    assert.deepEqual([...ref.bytes], [12]);
    assert.equal(ref.verified, true);
    assert.match(ref.path, /models\/live\/v3\/model\.bin$/);
    assert.deepEqual(ref.version, { name: 'live', version: 3 }, 'so that scan writes beside, not into, it');
  });

  it('follows the pointer when aliases.json lags behind it (a crash between the writes)', async () => {
    const pointer = join(root, 'models/live/promoted.json');
    await writeFile(
      pointer,
      JSON.stringify({ name: 'live', version: 1, step: 2, promotedAt: 'x', reason: 'rollback' }),
    );
    assert.deepEqual(await registryVersion('live@champion', root), { name: 'live', version: 1 });
    assert.deepEqual(await registryVersion('live@previous', root), { name: 'live', version: 2 });
  });

  it('names the aliases that are set when one is not', async () => {
    await assert.rejects(
      registryVersion('live@staging', root),
      /alias 'staging' of live is not set in registry .* \(set: champion, previous, known-good\)/,
    );
    await assert.rejects(registryVersion('other@champion', root), /\(set: none\)/);
  });
});
