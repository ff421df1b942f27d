import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SeedResult } from '../../sim/experiment/runner.ts';
import { planSweep } from '../../sim/sweep/plan.ts';
import { parseSweepSpec } from '../../sim/sweep/spec.ts';
import {
  finishedJobIds,
  initSweepFolder,
  readSweepMeta,
  resultPath,
  saveResultOnce,
  writeIndex,
  type JobResult,
} from '../../sim/sweep/store.ts';

const spec = parseSweepSpec({
  name: 'store',
  seeds: [0, 1],
  grids: [{ name: 'g', axes: { poisonRatio: [0.1, 0.2] } }],
});
const plan = planSweep(spec);

function fakeResult(index: number, worker: string): JobResult {
  const job = plan.jobs[index];
  return {
    format: 1,
    id: job.id,
    experimentId: job.experimentId,
    seed: job.seed,
    config: job.config,
    result: { seed: job.seed } as SeedResult,
    run: { worker, attempt: 1, backend: 'cpu', startedAt: '', finishedAt: '', seconds: 1 },
  };
}

test('a job result is created once: a second finisher neither replaces it nor leaves files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sweep-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await saveResultOnce(dir, fakeResult(0, 'first')), true);
  assert.equal(await saveResultOnce(dir, fakeResult(0, 'second')), false);
  const stored = JSON.parse(await readFile(resultPath(dir, plan.jobs[0].id), 'utf8')) as JobResult;
  assert.equal(stored.run.worker, 'first');
  assert.deepEqual(await readdir(join(dir, 'jobs', plan.jobs[0].id)), ['result.json']);
});

test('only whole results count: a half-written temporary file leaves the job pending', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sweep-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await initSweepFolder(dir, spec, plan, {
    quick: false,
    source: 'x.yaml',
    command: 'permanence sweep x.yaml',
  });
  await saveResultOnce(dir, fakeResult(1, 'w'));
  // What a process killed in the middle of a write leaves behind.
  const half = join(dir, 'jobs', plan.jobs[2].id);
  await mkdir(half, { recursive: true });
  await writeFile(join(half, 'result.json.123.abcd.tmp'), '{"format":1,"id":');
  assert.deepEqual([...(await finishedJobIds(dir))], [plan.jobs[1].id]);
  const index = await writeIndex(dir, spec.name, plan);
  assert.equal(index.total, 4);
  assert.equal(index.done, 1);
  assert.deepEqual(
    index.jobs.map((j) => j.status),
    ['pending', 'done', 'pending', 'pending'],
  );
});

test('reopening a sweep folder keeps its uid and appends the command', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sweep-store-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const first = await initSweepFolder(dir, spec, plan, { quick: false, source: 'x.yaml', command: 'one' });
  await initSweepFolder(dir, spec, plan, { quick: false, source: 'x.yaml', command: 'two' });
  const meta = await readSweepMeta(dir);
  assert.equal(meta.uid, first.uid);
  assert.deepEqual(meta.commands, ['one', 'two']);
  assert.equal((await readdir(join(dir, 'experiments'))).length, plan.experiments.length);
});
