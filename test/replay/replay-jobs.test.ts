/**
 * The service's replay queue with a stand-in runner (the engine has its own tests): jobs run
 * one at a time in submission order, progress and the outcome are published, bad input is
 * refused before a job exists, and stop() ends the running job and fails the queued ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../services/config.ts';
import { experienceRecord } from '../../services/loop/experience-recorder.ts';
import { ReplayJobs, type ReplayRunner } from '../../services/replay/replay-jobs.ts';
import type { ReplayResult } from '../../sim/replay/engine.ts';
import { ReplayInputError, type HistorySource } from '../../sim/replay/history.ts';
import { encodeRecord } from '../../sim/replay/record.ts';

const config = loadConfig({});
const source: HistorySource = {
  versions: async () => [1, 2, 3],
  version: async (_name, version) => ({
    version,
    step: version - 1,
    parentVersion: version === 1 ? null : version - 1,
    status: 'candidate',
    experience: encodeRecord(
      experienceRecord(
        { config, backend: 'wasm', code: { version: '0', commit: null } },
        {
          kind: version === 1 ? 'initial' : 'update',
          parentVersion: version === 1 ? null : version - 1,
          step: version - 1,
          epochs: 1,
          batchSize: 64,
          schedule: 'sgd:0.03',
          poison: [],
          triggers: [],
        },
      ),
    ),
    metrics: {},
    model: new Uint8Array([version]),
  }),
};

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('replay jobs run one at a time, in order, and report progress and outcome', async () => {
  const log: string[] = [];
  const gates = [deferred(), deferred()];
  let calls = 0;
  const run: ReplayRunner = async (history, policy, o) => {
    const i = calls++;
    log.push(`start ${policy}`);
    o.onProgress({
      done: 1,
      total: history.versions.length,
      version: history.versions[0].version,
      row: {} as never,
    });
    await gates[i].promise;
    log.push(`end ${policy}`);
    if (i === 1) throw new Error('boom');
    return { rows: [] } as unknown as ReplayResult;
  };
  const events: string[] = [];
  const jobs = new ReplayJobs({
    name: 'm',
    source,
    run,
    events: { publish: (name, payload) => events.push(`${name} ${payload.request.policy}`) },
  });
  const a = await jobs.submit({ from: 2, policy: 'stlr:0.5:0.1' });
  const b = await jobs.submit({ from: 2, to: 3, policy: 'sgd:0.01' });
  assert.equal(a.progress?.total, 2);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(log, ['start stlr:0.5:0.1'], 'the second job waits for the first');
  assert.equal(jobs.get(b.id)?.status, 'queued');
  gates[0].resolve();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(jobs.get(a.id)?.status, 'succeeded');
  assert.equal(jobs.get(b.id)?.status, 'running');
  gates[1].resolve();
  await jobs.idle();
  assert.deepEqual(log, ['start stlr:0.5:0.1', 'end stlr:0.5:0.1', 'start sgd:0.01', 'end sgd:0.01']);
  assert.equal(jobs.get(b.id)?.status, 'failed');
  assert.equal(jobs.get(b.id)?.error, 'boom');
  // Per job (the first may start while the second is still being checked).
  const of = (policy: string) => events.filter((e) => e.endsWith(` ${policy}`)).map((e) => e.split(' ')[0]);
  assert.deepEqual(of('stlr:0.5:0.1'), ['replay:queued', 'replay:progress', 'replay:finished']);
  assert.deepEqual(of('sgd:0.01'), ['replay:queued', 'replay:progress', 'replay:failed']);
  await assert.rejects(jobs.submit({ from: 3, to: 2, policy: 'sgd:0.01' }), ReplayInputError);
  assert.equal(jobs.get('r00000000'), undefined);
});

test('stop() aborts the running job and fails the queued ones without running them', async () => {
  let ran = 0;
  const run: ReplayRunner = (_h, _p, o) => {
    ran++;
    return new Promise((_resolve, reject) =>
      o.signal.addEventListener('abort', () => reject(o.signal.reason)),
    );
  };
  const jobs = new ReplayJobs({ name: 'm', source, run, events: { publish: () => undefined } });
  const a = await jobs.submit({ from: 2, policy: 'recorded' });
  const b = await jobs.submit({ from: 2, policy: 'recorded' });
  await new Promise((r) => setImmediate(r));
  await jobs.stop();
  assert.equal(ran, 1);
  assert.deepEqual(
    [jobs.get(a.id)?.error, jobs.get(b.id)?.error],
    ['the service stopped', 'the service stopped'],
  );
});
