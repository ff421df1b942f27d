import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { stringify } from 'yaml';
import { planSweep } from '../../sim/sweep/plan.ts';
import { DEFAULT_QUEUE_NAME, queueJobId, redisConnection } from '../../sim/sweep/queue.ts';
import { parseSweepSpec } from '../../sim/sweep/spec.ts';
import { readSweepMeta, type JobResult } from '../../sim/sweep/store.ts';
import { cli, startRedis, stop, type Child } from './helpers.ts';

// Four tiny jobs: enough for both workers to be busy when one of them is killed.
const sweep = {
  name: 'distributed',
  base: { updates: 1, f0: { epochs: 1 }, update: { epochs: 1 }, poolSubset: 100, staticBaseline: false },
  seeds: [0, 1],
  grids: [{ name: 'ratio', axes: { poisonRatio: [0.1, 0.2] } }],
};

test(
  'two BullMQ workers, one SIGKILLed mid-job: every job finishes exactly once',
  { timeout: 20 * 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-dist-'));
    const redis = await startRedis();
    const children: Child[] = [];
    const connection = redisConnection(redis.url);
    const eventsConnection = redisConnection(redis.url);
    const queue = new Queue(DEFAULT_QUEUE_NAME, { connection });
    const events = new QueueEvents(DEFAULT_QUEUE_NAME, { connection: eventsConnection });
    t.after(async () => {
      for (const c of children) await stop(c);
      await queue.close();
      await events.close();
      connection.disconnect();
      eventsConnection.disconnect();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    });
    await events.waitUntilReady();
    const completions = new Map<string, number>();
    events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));

    // Short locks so that the killed worker's job is handed over in seconds, not 30 s.
    const workerArgs = ['worker', '--queue', redis.url, '--lock-ms', '4000'];
    const a = cli(workerArgs);
    const b = cli(workerArgs);
    children.push(a, b);
    await Promise.all([a.waitFor(/^\S+ worker \S+ on /), b.waitFor(/^\S+ worker \S+ on /)]);

    const file = join(dir, 'sweep.yaml');
    await writeFile(file, stringify(sweep));
    const out = join(dir, 'out');
    const enqueuer = cli(['sweep', file, '--out', out, '--queue', redis.url, '--backoff-ms', '500']);
    children.push(enqueuer);

    // Kill A as soon as it holds a job: the job is active, locked by A, half run.
    const started = await a.waitFor(/ start \S+ \(attempt/);
    const killedJob = / start (\S+) /.exec(started)?.[1] as string;
    a.process.kill('SIGKILL');
    await a.exited;

    assert.equal(await enqueuer.exited, 0, enqueuer.lines.join('\n'));

    const plan = planSweep(parseSweepSpec(sweep));
    const uid = (await readSweepMeta(out)).uid;
    // One result per job, nothing half written, and the killed job finished by the other worker.
    for (const job of plan.jobs) {
      const files = await readdir(join(out, 'jobs', job.id));
      assert.deepEqual(files, ['result.json'], `${job.id}: ${files.join(', ')}`);
    }
    const result = JSON.parse(
      await readFile(join(out, 'jobs', killedJob, 'result.json'), 'utf8'),
    ) as JobResult;
    assert.equal(
      result.run.worker.split(':').pop(),
      String(b.process.pid),
      'the killed job was rerun by worker B',
    );
    assert.equal(result.result.models.length, 2);

    // BullMQ recorded one completion per job, including the one whose first worker died.
    for (const job of plan.jobs) {
      const bjob = await queue.getJob(queueJobId(uid, job.id));
      assert.equal(await bjob?.getState(), 'completed', job.id);
      assert.equal(
        completions.get(queueJobId(uid, job.id)),
        1,
        `${job.id} completed ${completions.get(queueJobId(uid, job.id))} times`,
      );
    }
    const killed = await queue.getJob(queueJobId(uid, killedJob));
    assert.ok(
      (killed?.attemptsStarted ?? 0) >= 2 || (killed?.stalledCounter ?? 0) >= 1,
      'the killed job was started again',
    );

    // Each worker says which jobs it finished fresh: together, every job exactly once.
    const fresh = [...a.lines, ...b.lines]
      .map((l) => /^\S+ done (\S+) \(/.exec(l)?.[1])
      .filter((id) => id !== undefined);
    assert.deepEqual([...fresh].sort(), plan.jobs.map((j) => j.id).sort());

    // The enqueuer's index counts every job once.
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as {
      done: number;
      total: number;
    };
    assert.deepEqual([index.done, index.total], [4, 4]);
    assert.ok(!existsSync(join(out, 'jobs', killedJob, 'error.json')));
  },
);
