import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JobResult, SweepIndex } from '../../sim/sweep/store.ts';
import { cli } from './helpers.ts';

/**
 * The CI check: the shipped MNIST sweep at --quick scale runs locally on two
 * worker threads, its report draws the paper's figures, and a restarted sweep redoes only
 * the job whose result was lost mid-write.
 */
test(
  'quick paper-mnist sweep, its report, and a resume that redoes only a half-written job',
  { timeout: 30 * 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-quick-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const out = join(dir, 'paper-mnist-quick');

    const sweep = cli(['sweep', 'sweeps/paper-mnist.yaml', '--quick', '--out', out, '-j', '2']);
    assert.equal(await sweep.exited, 0, sweep.lines.join('\n'));
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as SweepIndex;
    assert.equal(index.done, index.total);
    assert.ok(index.total >= 8, `${index.total} jobs`);
    assert.ok(
      sweep.lines.some((l) => /ETA/.test(l)),
      'whole-sweep progress with an ETA',
    );
    assert.ok(
      sweep.lines.some((l) => / F1: acc=/.test(l)),
      'per-job progress',
    );

    const report = cli(['report', out]);
    assert.equal(await report.exited, 0, report.lines.join('\n'));
    const md = await readFile(join(out, 'report', 'report.md'), 'utf8');
    // --json: one document on stdout for scripts (progress, if any, goes to stderr); --format
    // adds a PDF of every figure.
    const json = spawnSync(
      process.execPath,
      ['bin/permanence.mjs', 'report', out, '--json', '--format', 'svg,png,pdf'],
      { encoding: 'utf8' },
    );
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as {
      done: number;
      total: number;
      figures: string[];
      files: { report: string };
    };
    assert.equal(doc.done, doc.total);
    assert.ok(doc.figures.length > 0);
    assert.equal(doc.files.report, join(out, 'report', 'report.md'));
    const pdfs = doc.figures.filter((f) => f.endsWith('.pdf'));
    assert.equal(3 * pdfs.length, doc.figures.length, doc.figures.join(' '));
    for (const pdf of pdfs)
      assert.equal((await readFile(pdf)).subarray(0, 5).toString('latin1'), '%PDF-', pdf);
    for (const heading of [
      'Fig. 2',
      'Fig. 10',
      'Fig. 3',
      'Fig. 4',
      'Fig. 5',
      'Fig. 6',
      'Fig. 11',
      'Fig. 13',
      'Tables 3-5',
    ]) {
      assert.ok(md.includes(heading), `report lacks ${heading}`);
    }
    assert.ok(
      md.includes(`permanence sweep sweeps/paper-mnist.yaml --quick --out ${out} -j 2`),
      'the exact command',
    );
    const images = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 8, `${images.length} figures`);
    for (const image of images) {
      // The page shows the PNG; the SVG beside it is the print version.
      assert.match(image, /\.png$/);
      const png = await readFile(join(out, 'report', image));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', image);
      assert.ok(png.length > 10_000, `${image}: ${png.length} bytes`);
      const svg = await readFile(join(out, 'report', image.replace(/\.png$/, '.svg')), 'utf8');
      assert.match(svg, /^<svg[\s\S]*<\/svg>$/, image);
    }

    // Restart after a crash mid-write: the job's result is gone, a partial temporary file is left.
    const victim = index.jobs[0].id;
    const others = await Promise.all(
      index.jobs.slice(1).map((j) => readFile(join(out, 'jobs', j.id, 'result.json'), 'utf8')),
    );
    await unlink(join(out, 'jobs', victim, 'result.json'));
    await writeFile(join(out, 'jobs', victim, 'result.json.999.dead.tmp'), '{"format":1,"id":"');
    const resumed = cli(['sweep', 'sweeps/paper-mnist.yaml', '--quick', '--out', out, '-j', '2']);
    assert.equal(await resumed.exited, 0, resumed.lines.join('\n'));
    assert.ok(
      resumed.lines.some((l) => new RegExp(`${index.total - 1} done, 1 to run`).test(l)),
      resumed.lines.join('\n'),
    );
    assert.deepEqual(
      resumed.lines.filter((l) => / start /.test(l)).map((l) => / start (\S+)/.exec(l)?.[1]),
      [victim],
    );
    const redone = JSON.parse(await readFile(join(out, 'jobs', victim, 'result.json'), 'utf8')) as JobResult;
    assert.equal(redone.id, victim);
    const after = await Promise.all(
      index.jobs.slice(1).map((j) => readFile(join(out, 'jobs', j.id, 'result.json'), 'utf8')),
    );
    assert.deepEqual(after, others, 'finished jobs are not rerun or rewritten');
    assert.ok(existsSync(join(out, 'report', 'report.md')));
  },
);
