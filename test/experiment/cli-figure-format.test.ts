/** `--format` of plot, run and report: exactly the formats listed; a bad list is a usage error. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { timelineFixture } from '../helpers/timeline-fixture.ts';

const run = mkdtempSync(join(tmpdir(), 'plot-format-'));
after(() => rmSync(run, { recursive: true, force: true }));
writeFileSync(join(run, 'results.json'), JSON.stringify(timelineFixture(false)));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/permanence.mjs', ...args], { encoding: 'utf8' });
const plot = (...args: string[]) => cli('plot', run, '--title', 'fixture', ...args);
const plots = () => readdirSync(run).filter((f) => f.startsWith('plot.'));

test('--format pdf writes plot.pdf only; the default writes plot.svg and plot.png', () => {
  const pdf = plot('--format', 'pdf');
  assert.equal(pdf.status, 0, pdf.stderr);
  assert.deepEqual(plots(), ['plot.pdf']);
  assert.deepEqual(pdf.stdout.trim().split('\n'), [join(run, 'plot.pdf')]);
  assert.equal(readFileSync(join(run, 'plot.pdf')).subarray(0, 5).toString('latin1'), '%PDF-');

  const plain = plot();
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(plots(), ['plot.pdf', 'plot.png', 'plot.svg']);
});

test('an unknown format exits 2 before drawing anything', () => {
  rmSync(join(run, 'plot.svg'), { force: true });
  const r = plot('--format', 'svg,eps');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format takes a comma-separated list of svg, png, pdf; got 'eps'/);
  assert.ok(!plots().includes('plot.svg'));
});

test('run and report refuse an unknown format with exit 2, before training or reading the sweep', () => {
  for (const args of [
    ['run', '--format', 'png,gif', '--out', join(run, 'never')],
    ['report', join(run, 'no-sweep'), '--format', 'gif'],
  ]) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--format takes a comma-separated list of svg, png, pdf; got 'gif'/);
  }
  assert.ok(!readdirSync(run).includes('never'));
});
