import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { canonicalJson, configHash } from '../../sim/experiment/config-hash.ts';
import { parseExperimentConfig, withResolvedAttack } from '../../sim/experiment/config.ts';
import { resultsCsv, type ExperimentResults } from '../../sim/experiment/results.ts';
import { openRunFolder, readRunConfig, writeAtomic } from '../../sim/experiment/run-folder.ts';
import { experimentsCsv } from '../../sim/report/write-report.ts';
import { experimentId } from '../../sim/sweep/job-id.ts';

const root = mkdtempSync(join(tmpdir(), 'permanence-folder-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** The same object with its keys in reverse order at every level. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

test('one canonical JSON for ids and run hashes: key order does not matter, undefined is left out', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] }, z: undefined }),
    '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}',
  );
  const config = parseExperimentConfig({
    attack: { kind: 'blend' },
    drift: 'hue:0.02,brightness:0.05',
    dataset: 'colour',
  });
  const shuffled = reversedKeys(config) as typeof config;
  assert.notEqual(JSON.stringify(shuffled), JSON.stringify(config));
  assert.equal(configHash(shuffled), configHash(config));
  assert.equal(experimentId(shuffled), experimentId(config));
  // A run hash and an experiment id are one hash at two lengths.
  assert.equal(configHash(config).slice(0, 12), experimentId(config));
});

test('sweep experiment ids are the ones the sorted-keys scheme gave before the shared module', () => {
  // Computed by the hand-written sortKeys hashing this module replaced.
  const badnets = parseExperimentConfig({ attack: { kind: 'badnets' }, poisonRatio: 0.1, seeds: [0] });
  assert.equal(experimentId(withResolvedAttack(badnets)), '93ccd93639fa');
  const colour = parseExperimentConfig({
    attack: null,
    drift: 'hue:0.02,brightness:0.05',
    dataset: 'colour',
    update: { epochs: 2, batchSize: 32, schedule: 'stlr:0.1:0.5' },
  });
  assert.equal(experimentId(colour), 'bf6a535a42c3');
});

test("a run folder's config.json is a plain config that parses back to the same config", async () => {
  const config = parseExperimentConfig({
    attack: { kind: 'wanet' },
    drift: 'rotate:4:bilinear',
    updates: 3,
    seeds: [1],
  });
  const dir = join(root, 'plain');
  await openRunFolder(dir, config);
  const stored: unknown = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(parseExperimentConfig(stored), config);
  assert.deepEqual(await readRunConfig(dir), config);
  // Reopening with the same config resumes; another config is refused.
  await openRunFolder(dir, config);
  await assert.rejects(openRunFolder(dir, { ...config, updates: 4 }), /holds a run of another config/);
});

test('run folders written as { hash, config } still resume and still refuse another config', async () => {
  const config = parseExperimentConfig({ updates: 2, seeds: [0] });
  const dir = join(root, 'legacy');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ hash: '0123456789abcdef', config }));
  await openRunFolder(dir, config);
  assert.deepEqual(await readRunConfig(dir), config);
  await assert.rejects(openRunFolder(dir, { ...config, poisonRatio: 0.2 }), /another config/);
});

test('writeAtomic fsyncs before the rename, leaves no temporary file and creates parent folders', async (t) => {
  const fsync = t.mock.method(fs, 'fsync');
  const path = join(root, 'atomic', 'deep', 'file.bin');
  await writeAtomic(path, new Uint8Array([1, 2, 3]));
  await writeAtomic(join(root, 'atomic', 'text.json'), '{"a":1}');
  assert.ok(fsync.mock.callCount() >= 2, 'every write is fsynced');
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  assert.equal(readFileSync(join(root, 'atomic', 'text.json'), 'utf8'), '{"a":1}');
  assert.deepEqual(readdirSync(join(root, 'atomic')).sort(), ['deep', 'text.json']);
  mock.restoreAll();
});

test('CSV fields with commas or quotes are quoted (RFC 4180)', () => {
  const config = parseExperimentConfig({
    attack: null,
    dataset: 'colour',
    drift: 'hue:0.02,brightness:0.05',
  });
  const csv = experimentsCsv([{ id: 'say "hi"', config, grids: [], jobs: [], results: null }]);
  const [header, row] = csv.split('\n');
  assert.match(header, /^id,attack,injection,poison_ratio,drift,/);
  assert.ok(row.startsWith('"say ""hi""",clean,d0,0.1,hue 0.02 turns/step + brightness'), row);
  assert.ok(csv.endsWith('\n'));
});

test('results.csv: a header and one row per seed and model, numbers as the run wrote them', () => {
  const model = (index: number, asr: number | null) => ({
    index,
    driftStep: index,
    poisoned: index === 0,
    cleanAccuracy: 0.98765,
    asr,
    train: { steps: 10, seconds: 1.234 },
  });
  const results = {
    seeds: [{ seed: 3, models: [model(0, 1), model(1, null)], static: [{ cleanAccuracy: 0.5, asr: 0.25 }] }],
  } as unknown as ExperimentResults;
  assert.equal(
    resultsCsv(results),
    'seed,model,drift_step,poisoned,clean_accuracy,asr,static_accuracy,static_asr,train_steps,train_seconds\n' +
      '3,0,0,1,0.9877,1.0000,0.5000,0.2500,10,1.23\n' +
      '3,1,1,0,0.9877,,,,10,1.23\n',
  );
});
