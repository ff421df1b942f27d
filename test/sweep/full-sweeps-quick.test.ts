import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobResult, SweepIndex } from '../../sim/sweep/store.ts';
import { cli } from './helpers.ts';

/**
 * The full-protocol sweeps at --quick scale, and the results folder that lets a study
 * outlive its machine: finished jobs are mirrored to <results>/jobs/<id>.json, and a new
 * sweep folder (another machine) restores them instead of running them again.
 */
test(
  'paper-mnist-full --quick mirrors its jobs and resumes from the mirror alone',
  { timeout: 10 * 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-full-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const results = join(dir, 'committed');
    const first = cli([
      'sweep',
      'sweeps/paper-mnist-full.yaml',
      '--quick',
      '--out',
      join(dir, 'a'),
      '--results',
      results,
      '-j',
      '2',
    ]);
    assert.equal(await first.exited, 0, first.lines.join('\n'));
    const mirrored = (await readdir(join(results, 'jobs'))).sort();
    const index = JSON.parse(await readFile(join(dir, 'a', 'index.json'), 'utf8')) as SweepIndex;
    assert.deepEqual(mirrored, index.jobs.map((j) => `${j.id}.json`).sort());
    const job = JSON.parse(await readFile(join(results, 'jobs', mirrored[0]), 'utf8')) as JobResult;
    // The mirrored record is the whole job: config (nearest rotation recorded), result, static F0.
    assert.deepEqual(job.config.drift, [{ kind: 'rotate', step: 4, interpolation: 'nearest' }]);
    assert.equal(job.result.models.length, 3);
    assert.equal(job.result.static.length, 3, 'the static F0 on every drifted test set');

    // A fresh sweep folder, as on a new machine with only the committed results.
    const second = cli([
      'sweep',
      'sweeps/paper-mnist-full.yaml',
      '--quick',
      '--out',
      join(dir, 'b'),
      '--results',
      results,
    ]);
    assert.equal(await second.exited, 0, second.lines.join('\n'));
    assert.ok(
      second.lines.some((l) => l.includes(`restored ${mirrored.length} finished job(s)`)),
      second.lines.join('\n'),
    );
    assert.ok(
      second.lines.some((l) => /nothing to run/.test(l)),
      second.lines.join('\n'),
    );
    const restored = JSON.parse(
      await readFile(join(dir, 'b', 'jobs', job.id, 'result.json'), 'utf8'),
    ) as JobResult;
    assert.deepEqual(restored, job);
  },
);

test('paper-colour-full --quick runs and reports', { timeout: 10 * 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sweep-colour-full-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'colour');
  const sweep = cli(['sweep', 'sweeps/paper-colour-full.yaml', '--quick', '--out', out, '-j', '2']);
  assert.equal(await sweep.exited, 0, sweep.lines.join('\n'));
  const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as SweepIndex;
  assert.equal(index.done, index.total);
  const report = cli(['report', out]);
  assert.equal(await report.exited, 0, report.lines.join('\n'));
  const md = await readFile(join(out, 'report', 'report.md'), 'utf8');
  assert.match(md, /hue/);
});
