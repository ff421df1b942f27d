import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'minio';
import { ChecksumError } from '../../services/registry/model-store.ts';
import { S3ModelStore } from '../../services/registry/s3-store.ts';
import { S3_CREDENTIALS, startS3rver, type RunningS3 } from './helpers/s3rver.ts';
import { draft, storeContract } from './helpers/store-contract.ts';

let dir: string;
let s3: RunningS3;
let bucketCount = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'permanence-s3-'));
  s3 = await startS3rver(dir);
});
after(async () => {
  await s3.stop();
  await rm(dir, { recursive: true, force: true });
});

function options(port = s3.port, bucket = `bucket-${++bucketCount}`) {
  return { endPoint: '127.0.0.1', port, useSSL: false, ...S3_CREDENTIALS, bucket, region: 'us-east-1' };
}

describe('S3ModelStore contract (s3rver)', () => {
  storeContract(() => new S3ModelStore(options()));
});

describe('S3ModelStore specifics', () => {
  it('creates its bucket and detects a tampered object', async () => {
    const o = options();
    const store = new S3ModelStore(o);
    await store.init();
    await store.saveVersion('m', draft(0, [1, 2, 3]));
    const client = new Client({ endPoint: o.endPoint, port: o.port, useSSL: false, ...S3_CREDENTIALS });
    await client.putObject(o.bucket, 'models/m/v1/model.bin', Buffer.from([1, 2, 4]));
    await assert.rejects(store.loadVersion('m', 1), ChecksumError);
  });

  it('ignores a version left without manifest and numbers past it', async () => {
    const o = options();
    const store = new S3ModelStore(o);
    await store.init();
    await store.saveVersion('m', draft(0, [1]));
    const client = new Client({ endPoint: o.endPoint, port: o.port, useSSL: false, ...S3_CREDENTIALS });
    // A crash after the model file but before the manifest.
    await client.putObject(o.bucket, 'models/m/v2/model.bin', Buffer.from([9]));
    assert.deepEqual(
      (await store.listVersions('m')).map((m) => m.version),
      [1],
    );
    const next = await store.saveVersion('m', draft(1, [2]));
    assert.equal(next.version, 3);
  });

  it('fails during an outage and works again afterwards with earlier versions intact', async () => {
    const outageDir = await mkdtemp(join(tmpdir(), 'permanence-s3-outage-'));
    let server = await startS3rver(outageDir);
    const port = server.port;
    const store = new S3ModelStore(options(port, 'outage'));
    await store.init();
    await store.saveVersion('m', draft(0, [1]));
    await store.promote('m', 1, 0, 'initial');
    await server.stop();
    await assert.rejects(store.saveVersion('m', draft(1, [2])));
    await assert.rejects(store.getPromoted('m'));
    server = await startS3rver(outageDir, port);
    try {
      assert.equal((await store.getPromoted('m'))?.version, 1);
      assert.equal((await store.saveVersion('m', draft(1, [2]))).version, 2);
      assert.deepEqual([...(await store.loadVersion('m', 1)).files['model.bin']], [1]);
    } finally {
      await server.stop();
      await rm(outageDir, { recursive: true, force: true });
    }
  });
});
