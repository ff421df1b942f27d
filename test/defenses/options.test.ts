import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanOptions } from '../../sim/cli/commands/scan.ts';
import { DEFAULT_SCAN_OPTIONS, parseDefenseList, resolveScanOptions } from '../../sim/defenses/index.ts';
import { cell, indexTable, type ScanRecordRow } from '../../sim/defenses/table.ts';

test('defense lists: nc, tabor, both, comma lists without repeats; unknown names throw', () => {
  assert.deepEqual(parseDefenseList('both'), ['nc', 'tabor']);
  assert.deepEqual(parseDefenseList('tabor,nc,tabor'), ['tabor', 'nc']);
  assert.throws(() => parseDefenseList('strip'), /unknown defense 'strip'/);
});

test('scan flags override only what they name; bad values throw', () => {
  const o = scanOptions({ threshold: '0.5', seed: '3', patience: '4' });
  assert.equal(o.threshold, 0.5);
  assert.equal(o.seed, 3);
  assert.equal(o.cost?.patience, 4);
  assert.equal(o.cost?.earlyStopPatience, 8);
  assert.equal(o.cost?.initCost, DEFAULT_SCAN_OPTIONS.cost.initCost);
  assert.equal(resolveScanOptions(o).samples, DEFAULT_SCAN_OPTIONS.samples);
  assert.throws(() => scanOptions({ threshold: '99', seed: '0' }), /threshold/);
  assert.throws(() => scanOptions({ threshold: '0.99', seed: '0', samples: '1.5' }), /samples/);
});

const row = (over: Partial<ScanRecordRow>): ScanRecordRow => ({
  attack: 'badnets',
  update: 'SGD 0.01',
  seed: 0,
  model: 0,
  defense: 'nc',
  threshold: 0.99,
  modelIndex: 2,
  indexCeiling: 2.5,
  flagged: false,
  suspect: 0,
  target: 0,
  targetNorm: 9,
  medianNorm: 50,
  asr: 1,
  seconds: 60,
  ...over,
});

test('a table cell is the mean ± sample std (n - 1) of the model index, with flagged seeds', () => {
  assert.equal(cell([row({ modelIndex: 1 }), row({ modelIndex: 3, flagged: true })]), '2.00 ± 1.41 (1/2)');
  assert.equal(cell([]), '-');
});

test('index tables put clean first and split updated models by their update', () => {
  const records = [
    row({ attack: 'badnets', model: 1, update: 'STLR 0.5' }),
    row({ attack: 'badnets', model: 1, update: 'SGD 0.01' }),
    row({ attack: 'clean', model: 1, asr: null }),
  ];
  const lines = indexTable(records, 1).split('\n');
  assert.equal(lines[0], '| model F1 | NC 99% |');
  assert.match(lines[2], /^\| clean, SGD 0.01 update \|/);
  assert.match(lines[3], /^\| badnets, SGD 0.01 update \(ASR 100.0%\) \|/);
  assert.match(lines[4], /^\| badnets, STLR 0.5 update/);
});

test('rows of one attack at another visibility sort with their attack', () => {
  const records = [
    row({ attack: 'wanet' }),
    row({ attack: 'blend:alpha=0.05' }),
    row({ attack: 'blend' }),
    row({ attack: 'clean', asr: null }),
  ];
  const names = indexTable(records, 0)
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .split(' | ')[0]
        .slice(2)
        .replace(/ \(ASR .*\)$/, ''),
    );
  assert.deepEqual(names, ['clean', 'blend', 'blend:alpha=0.05', 'wanet']);
});
