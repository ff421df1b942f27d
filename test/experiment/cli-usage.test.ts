/**
 * The CLI's contract with a new user and with scripts: --version, exit codes, errors that
 * name the flag, help that loads no training code, example configs that validate.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildConfig, resolveConfig, summaryLines } from '../../sim/cli/commands/run.ts';
import { parseExperimentConfig } from '../../sim/experiment/config.ts';
import type { ExperimentResults } from '../../sim/experiment/results.ts';

const root = mkdtempSync(join(tmpdir(), 'permanence-usage-'));
after(() => rmSync(root, { recursive: true, force: true }));

function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/permanence.mjs', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  const r = cli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('--help documents the exit codes and loads neither tfjs nor sim/backend', () => {
  const record = join(root, 'imports.txt');
  const r = spawnSync(
    process.execPath,
    ['--import', './test/helpers/import-recorder.mjs', 'bin/permanence.mjs', '--help'],
    { encoding: 'utf8', env: { ...process.env, RECORD_IMPORTS: record } },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Exit codes: 0 success; 1 error while running; 2 usage error/);
  const loaded = readFileSync(record, 'utf8').split('\n');
  assert.ok(
    // From the sources, or from the start-up bundle when it is fresh (cli-bundle.test.ts).
    loaded.some((u) => u.endsWith('/sim/cli/commands/run.ts') || u.endsWith('/dist/cli.mjs')),
    'the recorder saw the CLI load',
  );
  const heavy = loaded.filter((u) => /@tensorflow|\/sim\/backend\/|\/node_modules\/(vega|bullmq)\//.test(u));
  assert.deepEqual(heavy, []);
});

test('bad flag values are usage errors (exit 2) that name the flag', () => {
  const cases: [string[], RegExp][] = [
    [['run', '--ratio', '2'], /--ratio: Number must be less than or equal to 1/],
    [['run', '--attack', 'trojan'], /unknown attack 'trojan' \(known: none, badnets, blend, wanet\)/],
    [['run', '--drift', 'rotate'], /--drift: .*e\.g\. 'rotate:4'/],
    [['run', '--updates', 'many'], /--updates must be a number, got 'many'/],
    [['run', '--update-epochs', '0'], /--update-epochs: /],
    [['run', '--seeds', '0'], /--seeds 0: a seed count must be at least 1/],
    [['run', '--no-such-flag'], /unknown option '--no-such-flag'/],
    [['scan', '--model', 'x.bin', '--threshold', '2'], /--threshold must be in \(0, 1\], got '2'/],
    [['sweep', 'sweeps/paper-mnist.yaml', '--jobs', 'x', '--dry-run'], /--jobs must be a positive integer/],
    [['report', join(root, 'not-a-sweep')], /is not a sweep folder/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /poisonRatio|update\.epochs/, 'internal field names stay internal');
  }
});

test('a config file field keeps its path in the error when no flag set it', async () => {
  const flags = { f0Cache: false as const, scanAt: '0', config: 'examples/smoke.yaml', ratio: '0.5' };
  const input = { ...(await buildConfig(flags)), horizon: 0 };
  await assert.rejects(resolveConfig(input, flags), (error: Error) => {
    assert.match(error.message, /in examples\/smoke\.yaml/);
    assert.match(error.message, /^ {2}horizon: Number must be greater than 0$/m);
    return true;
  });
  const ratio = { ...flags, ratio: '1.5' };
  await assert.rejects(resolveConfig(await buildConfig(ratio), ratio), /^ {2}--ratio: /m);
});

test('every config in examples/ is a valid --config', async () => {
  const files = readdirSync('examples').filter((f) => /\.(ya?ml|json)$/.test(f));
  assert.ok(files.length >= 3, 'examples/ holds configs');
  for (const file of files) {
    const flags = { f0Cache: false as const, scanAt: '0', config: join('examples', file) };
    const config = await resolveConfig(await buildConfig(flags), flags);
    assert.equal(config.name, file.replace(/\.ya?ml$/, ''), `${file}: its name is its file name`);
    // The stored form of an example is itself an example: what config.json holds parses back.
    assert.deepEqual(parseExperimentConfig(JSON.parse(JSON.stringify(config))), config);
  }
});

test('a config.json of an older run folder ({ hash, config }) is a valid --config too', async () => {
  const file = join(root, 'legacy-config.json');
  const config = parseExperimentConfig({ updates: 2, seeds: [3] });
  writeFileSync(file, JSON.stringify({ hash: '0123456789abcdef', config }));
  const flags = { f0Cache: false as const, scanAt: '0', config: file };
  assert.deepEqual(await resolveConfig(await buildConfig(flags), flags), config);
});

test('the summary counts survivability up to the end of a short run, and omits ± for one seed', () => {
  const config = parseExperimentConfig({ updates: 3, seeds: [0] });
  const band = (mean: number) => ({ mean, std: 0 });
  const results = {
    config,
    seeds: [{ seed: 0 }],
    backend: 'wasm',
    wallSeconds: 12,
    summary: {
      models: [{ index: 0, cleanAccuracy: band(0.975), asr: band(1), staticAccuracy: null }],
      survivability: band(3),
      stepsPerUpdate: 63,
      ineffectiveSeeds: [],
    },
  } as unknown as ExperimentResults;
  const lines = summaryLines(results, 0);
  assert.equal(lines[1], 'F0    97.5%             100.0%            -');
  assert.equal(lines[2], '0.5-survivability: 3.00 (max 3)');
  const three = {
    ...results,
    seeds: [{ seed: 0 }, { seed: 1 }, { seed: 2 }],
  } as unknown as ExperimentResults;
  assert.match(summaryLines(three, 0)[1], /97\.5% ± 0\.0%/);
  const long = { ...results, config: parseExperimentConfig({ updates: 20 }) } as ExperimentResults;
  assert.match(summaryLines(long, 0)[2], /\(max 14\)$/);
});
