/**
 * Replay reads an S3 registry too: a live history recorded into s3rver (a real S3 server)
 * is replayed by `permanence replay s3://<bucket>` with the recorded policy, and every
 * version's accuracy and ASR come out as recorded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { S3ModelStore } from '../../services/registry/s3-store.ts';
import { recordLiveHistory } from '../helpers/live-history.ts';
import { S3_CREDENTIALS, startS3rver } from '../services/helpers/s3rver.ts';
import { startTestService } from '../services/helpers/service.ts';

test('permanence replay s3://<bucket> reproduces a history recorded on S3', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'permanence-replay-s3-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const s3 = await startS3rver(join(dir, 's3'));
  t.after(() => s3.stop());
  const bucket = 'replay-history';
  const store = new S3ModelStore({
    endPoint: '127.0.0.1',
    port: s3.port,
    useSSL: false,
    ...S3_CREDENTIALS,
    bucket,
    region: 'us-east-1',
  });
  const service = await startTestService({}, { store });
  let campaign = '';
  try {
    ({ campaign } = await recordLiveHistory(service, {
      cycles: 2,
      campaign: { before: 0, mode: 'one-shot', cycles: 1 },
    }));
  } finally {
    await service.dispose();
  }
  const out = join(dir, 'run');
  // Asynchronous: s3rver runs in this process and must keep answering while the CLI reads it.
  await promisify(execFile)(
    process.execPath,
    ['bin/permanence.mjs', 'replay', `s3://${bucket}`, '--from', 'v2', '--policy', 'recorded', '--out', out],
    {
      env: {
        ...process.env,
        S3_ENDPOINT: '127.0.0.1',
        S3_PORT: String(s3.port),
        S3_ACCESS_KEY: S3_CREDENTIALS.accessKey,
        S3_SECRET_KEY: S3_CREDENTIALS.secretKey,
      },
    },
  );

  const { results } = JSON.parse(await readFile(join(out, 'replay.json'), 'utf8')) as {
    results: {
      rows: {
        version: number;
        recorded: { cleanAccuracy: number; asr: Record<string, number> };
        counterfactual: { cleanAccuracy: number; asr: Record<string, number> };
      }[];
    }[];
  };
  assert.deepEqual(
    results[0].rows.map((row) => row.version),
    [2, 3],
  );
  for (const row of results[0].rows) {
    assert.equal(row.counterfactual.cleanAccuracy, row.recorded.cleanAccuracy);
    assert.equal(row.counterfactual.asr[campaign], row.recorded.asr[campaign]);
  }
});
