import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { loadAliases } from '../../services/registry/aliases.ts';
import { ChecksumError, CorruptFileError } from '../../services/registry/model-store.ts';
import { draft, storeContract } from './helpers/store-contract.ts';

const roots: string[] = [];
async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'permanence-fs-'));
  roots.push(root);
  return root;
}
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe('FsModelStore contract', async () => {
  const root = await newRoot();
  storeContract(() => new FsModelStore(root));
});

describe('FsModelStore on disk', () => {
  it('writes models/<name>/v<N>/ with model, metrics and manifest, a pointer and its history', async () => {
    const root = await newRoot();
    const store = new FsModelStore(root);
    await store.init();
    await store.saveVersion('m', draft(0, [1, 2, 3]));
    await store.promote('m', 1, 0, 'initial');
    assert.deepEqual((await readdir(join(root, 'models/m'))).sort(), [
      'aliases.json',
      'promoted-history.json',
      'promoted.json',
      'v1',
    ]);
    assert.deepEqual((await readdir(join(root, 'models/m/v1'))).sort(), [
      'manifest.json',
      'metrics.json',
      'model.bin',
    ]);
    const pointer = JSON.parse(await readFile(join(root, 'models/m/promoted.json'), 'utf8')) as {
      version: number;
    };
    assert.equal(pointer.version, 1);
  });

  it('detects a flipped byte in a model file', async () => {
    const root = await newRoot();
    const store = new FsModelStore(root);
    await store.init();
    await store.saveVersion('m', draft(0, [1, 2, 3]));
    await writeFile(join(root, 'models/m/v1/model.bin'), new Uint8Array([1, 2, 4]));
    await assert.rejects(store.loadVersion('m', 1), ChecksumError);
  });

  it('detects a missing file', async () => {
    const root = await newRoot();
    const store = new FsModelStore(root);
    await store.init();
    await store.saveVersion('m', draft(0, [1]));
    await rm(join(root, 'models/m/v1/metrics.json'));
    await assert.rejects(store.loadVersion('m', 1), /missing/);
  });

  it('removes staging folders left by a crash and never reuses a committed number', async () => {
    const root = await newRoot();
    const store = new FsModelStore(root);
    await store.init();
    await store.saveVersion('m', draft(0, [1]));
    // What a kill -9 in the middle of saveVersion leaves behind.
    await mkdir(join(root, 'models/m/.staging-deadbeef'));
    await writeFile(join(root, 'models/m/.staging-deadbeef/model.bin'), 'partial');
    await writeFile(join(root, 'models/m/promoted.json.abc.tmp'), '{"trunc');
    const reopened = new FsModelStore(root);
    await reopened.init();
    assert.deepEqual((await readdir(join(root, 'models/m'))).sort(), ['v1']);
    const next = await reopened.saveVersion('m', draft(1, [2]));
    assert.equal(next.version, 2);
    assert.deepEqual([...(await reopened.loadVersion('m', 1)).files['model.bin']], [1]);
  });

  it('a promotion whose aliases.json write fails still promotes; the aliases follow the pointer', async () => {
    const root = await newRoot();
    class FailingDocuments extends FsModelStore {
      failing = false;
      override updateDocument<T>(name: string, path: string, update: (current: unknown) => T): Promise<T> {
        if (this.failing) return Promise.reject(new Error('disk full'));
        return super.updateDocument(name, path, update);
      }
    }
    const store = new FailingDocuments(root);
    await store.init();
    await store.saveVersion('m', draft(0, [1]));
    await store.saveVersion('m', draft(1, [2]));
    await store.promote('m', 1, 0, 'initial');
    store.failing = true;
    assert.equal((await store.promote('m', 2, 1, 'cycle')).version, 2);
    const record = await loadAliases(store, 'm');
    assert.deepEqual([record.champion, record.previous], [2, 1]);
  });

  it('names damaged documents (CorruptFileError) and leaves a damaged version out of listings', async () => {
    const root = await newRoot();
    const store = new FsModelStore(root);
    await store.init();
    await store.saveVersion('m', draft(0, [1]));
    await store.saveVersion('m', draft(1, [2]));
    await store.promote('m', 2, 1, 'cycle');
    await writeFile(join(root, 'models/m/v1/manifest.json'), '{"name":"m","vers');
    await writeFile(join(root, 'models/m/promoted.json'), '{"version":"two"}');
    await writeFile(join(root, 'models/m/operator.json'), '');
    await assert.rejects(
      store.getManifest('m', 1),
      (e) => e instanceof CorruptFileError && /not valid JSON/.test(e.message),
    );
    await assert.rejects(
      store.getPromoted('m'),
      (e) => e instanceof CorruptFileError && /promoted.json: name: Required/.test(e.message),
    );
    await assert.rejects(store.loadOperatorState('m'), CorruptFileError);
    assert.deepEqual(
      (await store.listVersions('m')).map((m) => m.version),
      [2],
    );
    // A manifest copied from another version does not pass for this one.
    await writeFile(
      join(root, 'models/m/v1/manifest.json'),
      await readFile(join(root, 'models/m/v2/manifest.json')),
    );
    await assert.rejects(store.getManifest('m', 1), /describes m v2/);
  });

  it('leaves no temp file behind when a pointer write fails', async () => {
    const root = await newRoot();
    const store = new FsModelStore(root);
    await store.init();
    await mkdir(join(root, 'models/m/operator.json/blocked'), { recursive: true });
    await assert.rejects(store.saveOperatorState('m', { a: 1 }));
    assert.deepEqual(await readdir(join(root, 'models/m')), ['operator.json']);
  });
});
