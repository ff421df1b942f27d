/**
 * `permanence scan` end to end on a small MNIST CNN: the table, scan.json, the trigger grid,
 * the exit code that follows the verdict, and registry versions checked against their manifest.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel, defaultModelSpec, serializeModel } from '../../sim/models/index.ts';

await tf.setBackend('cpu');
const root = mkdtempSync(join(tmpdir(), 'permanence-scan-'));
after(() => rmSync(root, { recursive: true, force: true }));

const model = createModel(defaultModelSpec('small-cnn', { height: 28, width: 28, channels: 1 }, 10), 7);
const weights = serializeModel(model);
model.dispose();
const modelFile = join(root, 'seed-0', 'F0.bin');
mkdirSync(join(root, 'seed-0'));
writeFileSync(modelFile, weights);

const budget = ['--samples', '20', '--epochs', '2', '--batch', '10'];

function scan(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/permanence.mjs', 'scan', ...budget, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A registry version as services/registry writes it: files, then the manifest naming their sha256. */
function writeVersion(registry: string, version: number, bytes: Uint8Array, manifest = true): string {
  const dir = join(registry, 'models', 'live', `v${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.bin'), bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (manifest)
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        name: 'live',
        version,
        files: [{ path: 'model.bin', sha256, bytes: bytes.byteLength }],
      }),
    );
  return dir;
}

test('scan prints a table, writes scan.json and the trigger grid, and exits 3 exactly when flagged', () => {
  const out = join(root, 'out');
  const r = scan(['--model', modelFile, '--defense', 'both', '--out', out]);
  const doc = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as {
    dataSeed: number;
    scans: { defense: string; flagged: boolean; labels: unknown[]; triggers: unknown[] }[];
  };
  assert.deepEqual(
    doc.scans.map((s) => s.defense),
    ['nc', 'tabor'],
  );
  assert.equal(r.code, doc.scans.some((s) => s.flagged) ? 3 : 0, r.stderr);
  assert.equal(doc.dataSeed, 0, 'the split seed comes from the seed-<n> folder');
  for (const s of doc.scans) assert.equal(s.labels.length, 10);
  assert.match(r.stdout, /^label {2}norm {5}ASR {5}index {2}flagged$/m);
  assert.match(r.stdout, /model anomaly index \d+\.\d\d \(label \d\): (FLAGGED|not flagged)/);
  for (const name of ['triggers-nc.png', 'triggers-tabor.png']) {
    const png = readFileSync(join(out, name));
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  }
});

test('scan --json prints one document: the verdict, the files and a summary per defense', () => {
  const out = join(root, 'json');
  const r = scan(['--model', modelFile, '--defense', 'nc', '--out', out, '--json']);
  const doc = JSON.parse(r.stdout) as {
    flagged: boolean;
    files: { scan: string; triggers: string[] };
    scans: { defense: string; labels: unknown[] }[];
  };
  assert.equal(r.code, doc.flagged ? 3 : 0, r.stderr);
  assert.equal(doc.files.scan, join(out, 'scan.json'));
  assert.deepEqual(doc.files.triggers, [join(out, 'triggers-nc.png')]);
  assert.deepEqual(
    doc.scans.map((s) => [s.defense, s.labels.length]),
    [['nc', 10]],
  );
  assert.ok(existsSync(doc.files.scan));
});

test('registry versions are scanned only when the weights match their manifest', () => {
  const registry = join(root, 'registry');
  writeVersion(registry, 1, weights);
  const good = scan([
    '--model',
    'live@v1',
    '--registry',
    registry,
    '--defense',
    'nc',
    '--out',
    join(root, 'v1'),
  ]);
  assert.ok(good.code === 0 || good.code === 3, good.stderr);
  assert.match(good.stderr, /sha256 matches its manifest/);

  const torn = weights.slice();
  torn[torn.length - 1] ^= 0xff;
  const dir = writeVersion(registry, 2, weights);
  writeFileSync(join(dir, 'model.bin'), torn);
  const bad = scan(['--model', 'live@v2', '--registry', registry, '--out', join(root, 'v2')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /model\.bin does not match the sha256 in .*manifest\.json: refusing to scan it/);
  assert.ok(!existsSync(join(root, 'v2', 'scan.json')));

  writeVersion(registry, 3, weights, false);
  const unfinished = scan(['--model', 'live@v3', '--registry', registry]);
  assert.equal(unfinished.code, 1);
  assert.match(unfinished.stderr, /live@v3 has no manifest\.json: an unfinished write, not a version/);
});

test('errors exit 1 and usage mistakes 2, each with a message', () => {
  const missing = scan(['--model', join(root, 'nope.bin')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no model at .*nope\.bin/);
  const threshold = scan(['--model', modelFile, '--threshold', '99']);
  assert.equal(threshold.code, 2, 'a bad value is a usage error');
  assert.match(threshold.stderr, /--threshold must be in \(0, 1\], got '99'/);
  const usage = spawnSync(process.execPath, ['bin/permanence.mjs', 'scan'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /required option '-m, --model <ref>' not specified/);
});
