/** The ModelStore contract, run against every implementation. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadAliases, resolveVersion, setAlias } from '../../../services/registry/aliases.ts';
import { appendScan, loadScans, type ScanRecord } from '../../../services/registry/scans.ts';
import {
  VersionNotFoundError,
  type ModelStore,
  type VersionDraft,
} from '../../../services/registry/model-store.ts';

export function draft(
  step: number,
  bytes: number[],
  status: VersionDraft['status'] = 'candidate',
): VersionDraft {
  return {
    step,
    parentVersion: step === 0 ? null : step,
    schedule: 'sgd:0.03',
    status,
    files: { 'model.bin': new Uint8Array(bytes) },
    metrics: { cleanAccuracy: 0.9 + step / 100 },
  };
}

export function storeContract(makeStore: () => ModelStore): void {
  it('numbers versions 1, 2, 3 and lists them in order with sha256 manifests', async () => {
    const store = makeStore();
    await store.init();
    const a = await store.saveVersion('m', draft(0, [1, 2, 3]));
    const b = await store.saveVersion('m', draft(1, [4, 5]));
    assert.equal(a.version, 1);
    assert.equal(b.version, 2);
    assert.deepEqual(
      (await store.listVersions('m')).map((m) => m.version),
      [1, 2],
    );
    const paths = b.files.map((f) => f.path);
    assert.deepEqual(paths, ['metrics.json', 'model.bin']);
    assert.match(b.files[1].sha256, /^[0-9a-f]{64}$/);
  });

  it('loads a version with its files and metrics after verifying checksums', async () => {
    const store = makeStore();
    await store.init();
    const m = await store.saveVersion('load', draft(3, [9, 8, 7]));
    const loaded = await store.loadVersion('load', m.version);
    assert.deepEqual([...loaded.files['model.bin']], [9, 8, 7]);
    assert.equal(loaded.metrics.cleanAccuracy, 0.93);
    await assert.rejects(store.loadVersion('load', 99), VersionNotFoundError);
  });

  it('moves the pointer only to complete, non-rejected versions', async () => {
    const store = makeStore();
    await store.init();
    assert.equal(await store.getPromoted('p'), undefined);
    const good = await store.saveVersion('p', draft(1, [1]));
    const bad = await store.saveVersion('p', draft(2, [2], 'rejected'));
    const pointer = await store.promote('p', good.version, 1, 'cycle');
    assert.equal(pointer.version, good.version);
    await assert.rejects(store.promote('p', bad.version, 2, 'cycle'), /rejected/);
    await assert.rejects(store.promote('p', 42, 2, 'rollback'), VersionNotFoundError);
    assert.deepEqual(await store.getPromoted('p'), pointer);
  });

  it('keeps models apart by name', async () => {
    const store = makeStore();
    await store.init();
    await store.saveVersion('x', draft(0, [1]));
    assert.deepEqual(await store.listVersions('y'), []);
  });

  it('replaces the operator state document whole and reads it back', async () => {
    const store = makeStore();
    await store.init();
    assert.equal(await store.loadOperatorState('ops'), undefined, 'none before the first save');
    await store.saveOperatorState('ops', { schedule: 'sgd:0.03', paused: false });
    await store.saveOperatorState('ops', { schedule: 'stlr:0.5', paused: true });
    assert.deepEqual(await store.loadOperatorState('ops'), { schedule: 'stlr:0.5', paused: true });
    assert.equal(await store.loadOperatorState('other'), undefined, 'kept apart by name');
    assert.deepEqual(await store.listVersions('ops'), [], 'the state is not a version');
  });

  it('runs concurrent updates of a document one after the other, and refuses odd paths', async () => {
    const store = makeStore();
    await store.init();
    assert.equal(await store.loadDocument('doc', 'counter.json'), undefined);
    const add = () =>
      store.updateDocument('doc', 'counter.json', (n) => ((n as number | undefined) ?? 0) + 1);
    // Unserialised, these read-modify-writes would lose increments.
    assert.deepEqual((await Promise.all([add(), add(), add(), add()])).sort(), [1, 2, 3, 4]);
    assert.equal(await store.loadDocument('doc', 'counter.json'), 4);
    await assert.rejects(
      store.updateDocument('doc', '../escape.json', () => 1),
      /not a registry document/,
    );
    await assert.rejects(
      store.updateDocument('doc', 'v1/../x.json', () => 1),
      /not a registry document/,
    );
    // A failing update writes nothing and does not block the next one.
    await assert.rejects(
      store.updateDocument('doc', 'counter.json', () => {
        throw new Error('no');
      }),
      /no/,
    );
    assert.equal(await add(), 5);
    assert.deepEqual(await store.listVersions('doc'), [], 'documents are not versions');
  });

  it('moves champion and previous on every promotion, rollback included', async () => {
    const store = makeStore();
    await store.init();
    for (const step of [0, 1, 2]) await store.saveVersion('al', draft(step, [step]));
    await store.promote('al', 1, 0, 'initial');
    await store.promote('al', 2, 1, 'cycle');
    await store.promote('al', 3, 2, 'cycle');
    let record = await loadAliases(store, 'al');
    assert.equal(record.champion, 3);
    assert.equal(record.previous, 2);
    assert.deepEqual(Object.keys(record.promotedAt).sort(), ['1', '2', '3']);
    await store.promote('al', await resolveVersion(store, 'al', 'al@previous'), 2, 'rollback');
    record = await loadAliases(store, 'al');
    assert.deepEqual([record.champion, record.previous], [2, 3]);
    await setAlias(store, 'al', 'baseline', 1);
    assert.equal(await resolveVersion(store, 'al', 'baseline'), 1);
  });

  it("keeps a version's scans beside it, oldest first, without touching its files", async () => {
    const store = makeStore();
    await store.init();
    await store.saveVersion('sc', draft(0, [7]));
    const scan = (anomalyIndex: number): ScanRecord => ({
      at: new Date(0).toISOString(),
      step: 3,
      defense: 'nc',
      anomalyIndex,
      indexCeiling: 4,
      flagged: anomalyIndex > 2,
      flaggedLabels: anomalyIndex > 2 ? [0] : [],
      seconds: 1,
    });
    assert.deepEqual(await loadScans(store, 'sc', 1), { version: 1, scans: [] });
    await appendScan(store, 'sc', 1, scan(1.5));
    await appendScan(store, 'sc', 1, scan(2.5));
    const history = await loadScans(store, 'sc', 1);
    assert.deepEqual(
      history.scans.map((s) => [s.anomalyIndex, s.flagged]),
      [
        [1.5, false],
        [2.5, true],
      ],
    );
    assert.deepEqual([...(await store.loadVersion('sc', 1)).files['model.bin']], [7], 'still verifies');
    await assert.rejects(appendScan(store, 'sc', 2, scan(1)), VersionNotFoundError);
    assert.deepEqual(
      (await store.listVersions('sc')).map((m) => m.version),
      [1],
      'no folder for a missing version',
    );
  });

  it('pages versions newest first with a cursor', async () => {
    const store = makeStore();
    await store.init();
    for (let i = 0; i < 5; i++) await store.saveVersion('page', draft(i, [i]));
    const first = await store.listPage('page', 2, null);
    assert.deepEqual(
      first.versions.map((m) => m.version),
      [5, 4],
    );
    assert.equal(first.next, 4);
    const second = await store.listPage('page', 2, first.next);
    assert.deepEqual(
      second.versions.map((m) => m.version),
      [3, 2],
    );
    const last = await store.listPage('page', 2, second.next);
    assert.deepEqual(
      last.versions.map((m) => m.version),
      [1],
    );
    assert.equal(last.next, null);
  });

  it('keeps a pointer history and removes versions manifest first', async () => {
    const store = makeStore();
    await store.init();
    for (let i = 0; i < 3; i++) await store.saveVersion('hist', draft(i, [i]));
    await store.promote('hist', 1, 0, 'initial');
    await store.promote('hist', 3, 2, 'cycle');
    await store.promote('hist', 2, 2, 'rollback');
    assert.deepEqual(
      (await store.getPointerHistory('hist')).map((p) => [p.version, p.reason]),
      [
        [1, 'initial'],
        [3, 'cycle'],
        [2, 'rollback'],
      ],
    );
    await store.deleteVersion('hist', 1);
    await store.deleteVersion('hist', 1);
    assert.deepEqual(await store.listVersionNumbers('hist'), [2, 3]);
    assert.equal(await store.getManifest('hist', 1), undefined);
  });

  it('probes that it can be written, leaving nothing behind', async () => {
    const store = makeStore();
    await store.init();
    await store.probeWritable();
    assert.deepEqual(await store.listVersions('probe'), []);
  });
}
