import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const root = mkdtempSync(join(tmpdir(), 'permanence-run-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/permanence.mjs', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = [
  '--updates',
  '2',
  '--f0-epochs',
  '1',
  '--update-epochs',
  '1',
  '--pool-subset',
  '300',
  '--no-f0-cache',
];

test('permanence run writes results.json, a CSV and a plot, and resumes instead of redoing', () => {
  const out = join(root, 'badnets');
  const first = cli(['run', ...tiny, '--attack', 'badnets', '--seeds', '2', '--jobs', '2', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.seeds.length, 2);
  assert.equal(results.seeds[0].models.length, 3);
  for (const seed of results.seeds) {
    assert.ok(seed.models[0].poisoned && !seed.models[1].poisoned);
    assert.ok(seed.models.every((m: { asr: number }) => m.asr >= 0 && m.asr <= 1));
    assert.ok(seed.survivability >= 0 && seed.survivability <= 2);
    assert.equal(seed.static.length, 3);
  }
  assert.equal(results.summary.stepsPerUpdate, 5);
  assert.ok(typeof results.backend === 'string' && results.backend.length > 0);
  const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 2 * 3);
  assert.match(readFileSync(join(out, 'plot.svg'), 'utf8'), /^<svg/);

  const again = cli(['run', ...tiny, '--attack', 'badnets', '--seeds', '2', '--out', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /resuming .*2 seed\(s\) already done/);
  assert.match(again.stderr, /0 seed\(s\) to run/);
});

test('a run folder of another config is never overwritten', () => {
  const out = join(root, 'badnets');
  const r = cli(['run', ...tiny, '--attack', 'blend', '--seeds', '2', '--out', out]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /holds a run of another config/);
});

test('a YAML config file can replace the flags', () => {
  const file = join(root, 'exp.yaml');
  writeFileSync(
    file,
    'attack: null\nupdates: 1\npoolSubset: 200\nseeds: [4]\nf0: { epochs: 1, batchSize: 128, schedule: stlr:0.5 }\nupdate: { epochs: 1, batchSize: 64, schedule: stlr:0.5 }\n',
  );
  const out = join(root, 'clean');
  const r = cli(['run', '--config', file, '--no-f0-cache', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.seeds[0].seed, 4);
  assert.equal(results.seeds[0].models[1].asr, null);
  assert.equal(results.config.update.schedule.kind, 'stlr');
});

test("a run's config.json is a valid --config: the rerun gives the same config, --json prints the summary", () => {
  const first = join(root, 'clean');
  const out = join(root, 'clean-again');
  const r = cli([
    'run',
    '--config',
    join(first, 'config.json'),
    '--no-f0-cache',
    '--out',
    out,
    '--json',
    '--verbose',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')),
    JSON.parse(readFileSync(join(first, 'config.json'), 'utf8')),
  );
  const doc = JSON.parse(r.stdout) as {
    dir: string;
    files: Record<string, string>;
    summary: { models: unknown[] };
  };
  assert.equal(doc.dir, out);
  assert.equal(doc.files.results, join(out, 'results.json'));
  assert.equal(doc.summary.models.length, 2);
  // --verbose shows the backend selection the default output leaves out on the fast path.
  assert.match(r.stderr, /\[permanence\] backend \S+ selected/);
});

test('without --verbose, backend notices appear only on the slow path', () => {
  const r = cli([
    'run',
    ...tiny,
    '--updates',
    '1',
    '--seeds',
    '0,',
    '--attack',
    'none',
    '--out',
    join(root, 'quiet'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const slow = /slow path/.test(r.stderr);
  if (slow) assert.match(r.stderr, /for the fast path .*npm run build:native/);
  else assert.doesNotMatch(r.stderr, /\[permanence\] backend /);
});

test('bad flags fail fast with a clear message and a non-zero exit', () => {
  const cases: [string[], RegExp][] = [
    [['--attack', 'trojan'], /unknown attack/],
    [['--ratio', 'lots'], /--ratio must be a number/],
    [['--schedule', 'adam:1'], /unknown schedule/],
    [['--drift', 'spin:4'], /drift/],
    [['--inject', 'd7'], /injection must be/],
    [['--seeds', '0'], /at least 1/],
    [['--model', 'vgg'], /model/],
  ];
  for (const [args, message] of cases) {
    const r = cli(['run', ...args, '--out', join(root, 'never')]);
    assert.equal(r.code, 2, `${args.join(' ')}: a usage error`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
