/**
 * The precompiled start-up bundle (scripts/build-cli.mjs) behind a fast `--help`: it prints
 * exactly what the TypeScript CLI prints, the bin takes it only for help and the version and
 * only while it is newer than its sources, and then loads neither tsx nor any source file.
 * (The time it saves is measured by bench/cli-help.ts, not here.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
// @ts-expect-error: plain ESM scripts without type declarations
import { asksForHelp, freshBundle } from '../../bin/cli-fast-path.mjs';
// @ts-expect-error: plain ESM scripts without type declarations
import { buildCli } from '../../scripts/build-cli.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'permanence-cli-bundle-'));
// A bundle resolves its packages from node_modules: it is built inside the repository.
mkdirSync(join(ROOT, 'dist'), { recursive: true });
const built = mkdtempSync(join(ROOT, 'dist', '.test-'));
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(built, { recursive: true, force: true });
});

const node = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout}\n--stderr--\n${r.stderr}` };
};

test('the bundle prints the same help, version and exit code as the TypeScript CLI', async () => {
  const { outfile, sources } = (await buildCli(built)) as { outfile: string; sources: string[] };
  assert.ok(sources.includes('services/cli/main.ts') && sources.includes('sim/cli/commands/run.ts'));
  assert.ok(!sources.some((s) => /sim\/(backend|experiment|train)\//.test(s)), sources.join(' '));
  const commands = [
    'run',
    'plot',
    'scan',
    'defense-table',
    'sweep',
    'worker',
    'report',
    'crosscheck',
    'theory',
    'replay',
    'registry',
  ];
  const cases = [['--help'], ['--version'], [], ['help', 'scan'], ...commands.map((c) => [c, '--help'])];
  for (const args of cases) {
    const fromSources = node(['--import', 'tsx', 'services/cli/main.ts', ...args]);
    const fromBundle = node([outfile, ...args]);
    assert.equal(fromBundle.out, fromSources.out, args.join(' '));
    assert.equal(fromBundle.code, fromSources.code, args.join(' '));
  }
});

test('only help and version requests may take the bundle', () => {
  for (const args of [
    [],
    ['--help'],
    ['-h'],
    ['-V'],
    ['--version'],
    ['help'],
    ['help', 'run'],
    ['run', '--help'],
  ])
    assert.equal(asksForHelp(args), true, args.join(' '));
  for (const args of [
    ['run'],
    ['run', '--seeds', '2'],
    ['scan', '--model', 'live@champion'],
    ['report', 'x'],
  ])
    assert.equal(asksForHelp(args), false, args.join(' '));
});

test('a bundle older than any of its sources, or built elsewhere, is not used', () => {
  const root = join(tmp, 'fake');
  mkdirSync(join(root, 'dist'), { recursive: true });
  mkdirSync(join(root, 'src'));
  const at = (path: string, seconds: number) => {
    writeFileSync(join(root, path), 'x');
    utimesSync(join(root, path), seconds, seconds);
  };
  at('src/a.ts', 1000);
  at('package.json', 1000);
  at('dist/cli.mjs', 2000);
  writeFileSync(join(root, 'dist/cli.json'), JSON.stringify({ root, sources: ['src/a.ts'] }));
  assert.equal(freshBundle(root), join(root, 'dist/cli.mjs'));
  at('src/a.ts', 3000);
  assert.equal(freshBundle(root), undefined, 'a source edited after the build');
  at('src/a.ts', 1000);
  at('package.json', 3000);
  assert.equal(freshBundle(root), undefined, 'package.json (the version) edited after the build');
  at('package.json', 1000);
  writeFileSync(join(root, 'dist/cli.json'), JSON.stringify({ root: '/elsewhere', sources: ['src/a.ts'] }));
  utimesSync(join(root, 'dist/cli.json'), 1000, 1000);
  assert.equal(freshBundle(root), undefined, 'built for another folder');
  assert.equal(freshBundle(join(tmp, 'none')), undefined, 'no bundle at all');
});

test('the installed bin answers --help from a fresh bundle without loading tsx or any source', () => {
  assert.equal(node(['scripts/build-cli.mjs']).code, 0);
  const record = join(tmp, 'imports.txt');
  const recorder = ['--import', './test/helpers/import-recorder.mjs'];
  const help = node([...recorder, 'bin/permanence.mjs', 'run', '--help'], { RECORD_IMPORTS: record });
  assert.equal(help.code, 0, help.out);
  const loaded = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  assert.ok(
    loaded.some((u) => u.endsWith('/dist/cli.mjs')),
    loaded.join('\n'),
  );
  assert.deepEqual(
    loaded.filter((u) => /\/node_modules\/tsx\/|\.ts$/.test(u)),
    [],
  );
  // Anything else runs the sources through tsx.
  rmSync(record);
  node([...recorder, 'bin/permanence.mjs', 'report', join(tmp, 'no-sweep')], { RECORD_IMPORTS: record });
  const action = readFileSync(record, 'utf8').split('\n');
  assert.ok(action.some((u) => u.endsWith('/services/cli/main.ts')));
  assert.ok(!action.some((u) => u.endsWith('/dist/cli.mjs')));
});
