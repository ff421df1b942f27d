import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CIFAR10_RECORD_BYTES, loadCifar10Binary } from '../../sim/data/cifar10.ts';
import { loadDataset } from '../../sim/data/registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'permanence-cifar-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A record with label `label` whose R, G, B planes are constant r, g, b, except pixel 1. */
function record(label: number, r: number, g: number, b: number): Buffer {
  const buf = Buffer.alloc(CIFAR10_RECORD_BYTES);
  buf[0] = label;
  buf.fill(r, 1, 1 + 1024);
  buf.fill(g, 1 + 1024, 1 + 2048);
  buf.fill(b, 1 + 2048, 1 + 3072);
  // Pixel (row 0, col 1) gets distinct values per plane to pin the planar-to-HWC order.
  buf[1 + 1] = 10;
  buf[1 + 1024 + 1] = 20;
  buf[1 + 2048 + 1] = 30;
  return buf;
}

for (let i = 1; i <= 5; i++) {
  writeFileSync(
    join(dir, `data_batch_${i}.bin`),
    Buffer.concat([record(i, 255, 0, 51), record(9, 0, 255, 102)]),
  );
}
writeFileSync(join(dir, 'test_batch.bin'), record(0, 0, 0, 255));

test('loadCifar10Binary decodes planar records into NHWC [0, 1]', () => {
  const { train, test: testSet } = loadCifar10Binary(dir);
  assert.equal(train.count, 10);
  assert.equal(testSet.count, 1);
  assert.deepEqual([train.height, train.width, train.channels], [32, 32, 3]);
  assert.deepEqual(Array.from(train.labels), [1, 9, 2, 9, 3, 9, 4, 9, 5, 9]);
  assert.deepEqual(Array.from(train.images.subarray(0, 3)), [1, 0, Math.fround(51 / 255)]);
  assert.deepEqual(
    Array.from(train.images.subarray(3, 6)),
    [10, 20, 30].map((v) => Math.fround(v / 255)),
  );
  const second = 32 * 32 * 3;
  assert.deepEqual(Array.from(train.images.subarray(second, second + 3)), [0, 1, Math.fround(102 / 255)]);
  assert.deepEqual(Array.from(testSet.images.subarray(6, 9)), [0, 0, 1]);
});

test('loadCifar10Binary names the missing folder or files', () => {
  assert.throws(() => loadCifar10Binary(join(dir, 'nope')), /not found/);
  const partial = mkdtempSync(join(tmpdir(), 'permanence-cifar-partial-'));
  try {
    writeFileSync(join(partial, 'data_batch_1.bin'), record(0, 0, 0, 0));
    assert.throws(() => loadCifar10Binary(partial), /lacks data_batch_2.bin, .*test_batch.bin/);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
});

test('a truncated batch is rejected', () => {
  const bad = mkdtempSync(join(tmpdir(), 'permanence-cifar-bad-'));
  try {
    for (const f of [
      'data_batch_1',
      'data_batch_2',
      'data_batch_3',
      'data_batch_4',
      'data_batch_5',
      'test_batch',
    ]) {
      writeFileSync(join(bad, `${f}.bin`), Buffer.alloc(100));
    }
    assert.throws(() => loadCifar10Binary(bad), /whole number of 3073-byte records/);
  } finally {
    rmSync(bad, { recursive: true, force: true });
  }
});

test('loadDataset cifar10:<dir> splits the training files and uses the test file', () => {
  const ds = loadDataset(`cifar10:${dir}`, 1, { d0: 6, pool: 4, test: 1 });
  assert.deepEqual([ds.d0.count, ds.pool.count, ds.test.count], [6, 4, 1]);
  assert.deepEqual(ds.shape, { height: 32, width: 32, channels: 3 });
  assert.equal(ds.test.labels[0], 0);
});
