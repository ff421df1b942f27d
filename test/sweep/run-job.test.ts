import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { planSweep } from '../../sim/sweep/plan.ts';
import { DeterministicJobError, runJob } from '../../sim/sweep/run-job.ts';
import { parseSweepSpec } from '../../sim/sweep/spec.ts';

test('a job whose experiment throws in its thread fails as deterministic (a queue does not retry it)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'permanence-run-job-'));
  try {
    // Every image poisoned: more than the non-target images there are, so poisoning D0 throws.
    const plan = planSweep(
      parseSweepSpec({
        name: 'throws',
        seeds: [0],
        base: { poisonRatio: 1, updates: 1, f0: { epochs: 1 }, poolSubset: 100 },
        grids: [{ name: 'g', axes: { attack: ['badnets'] } }],
      }),
    );
    const error = await runJob(plan.jobs[0], { dir, backend: 'cpu' }).then(
      () => assert.fail('the job resolved'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DeterministicJobError, String(error));
    assert.match(
      (error as Error).message,
      new RegExp(`^job ${plan.jobs[0].id}: .*cannot poison \\d+ images`),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
