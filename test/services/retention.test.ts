import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { pruneVersions, versionsToRemove } from '../../services/registry/retention.ts';
import { draft } from './helpers/store-contract.ts';

describe('retention policy', () => {
  it('removes what is neither among the newest N nor kept, oldest first', () => {
    assert.deepEqual(versionsToRemove([1, 2, 3, 4, 5, 6], new Set([2]), 3), [1, 3]);
    assert.deepEqual(versionsToRemove([6, 1, 5], new Set(), 1), [1, 5]);
    assert.deepEqual(versionsToRemove([1, 2], new Set(), 5), []);
    assert.deepEqual(versionsToRemove([1, 2, 3], new Set(), 0), [1, 2, 3]);
  });

  it('keeps the pointer, rollbacks in its history, the last entry and referenced versions', async () => {
    const root = await mkdtemp(join(tmpdir(), 'permanence-retention-'));
    try {
      const store = new FsModelStore(root);
      await store.init();
      for (let i = 0; i < 8; i++) await store.saveVersion('m', draft(i, [i]));
      await store.promote('m', 1, 0, 'initial');
      await store.promote('m', 2, 1, 'cycle');
      await store.promote('m', 3, 2, 'rollback');
      await store.promote('m', 4, 3, 'cycle');
      const refs = () => [5];
      const dry = await pruneVersions(store, 'm', { recent: 2, referenced: [refs], dryRun: true });
      // Kept: v7, v8 (recent), v4 (pointer and last history entry), v3 (a rollback), v5 (referenced).
      assert.deepEqual(dry, [1, 2, 6]);
      assert.deepEqual(
        await store.listVersionNumbers('m'),
        [1, 2, 3, 4, 5, 6, 7, 8],
        'a dry run removes nothing',
      );
      assert.deepEqual(await pruneVersions(store, 'm', { recent: 2, referenced: [refs] }), [1, 2, 6]);
      assert.deepEqual(await store.listVersionNumbers('m'), [3, 4, 5, 7, 8]);
      assert.deepEqual(await pruneVersions(store, 'm', { recent: 2, referenced: [refs] }), [], 'idempotent');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
