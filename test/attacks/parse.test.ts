import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAttack, parseAttack, validateAttack } from '../../sim/attacks/parse.ts';

test('parseAttack reads kinds and key=value parameters', () => {
  assert.deepEqual(parseAttack('badnets'), { kind: 'badnets' });
  assert.deepEqual(parseAttack('badnets:size=4'), { kind: 'badnets', size: 4 });
  assert.deepEqual(parseAttack('blend:alpha=0.1'), { kind: 'blend', alpha: 0.1 });
  assert.deepEqual(parseAttack('wanet:strength=0.75,gridSize=8'), {
    kind: 'wanet',
    strength: 0.75,
    gridSize: 8,
  });
});

test('parseAttack gives clear errors', () => {
  assert.throws(() => parseAttack('trojan'), /unknown attack 'trojan'/);
  assert.throws(() => parseAttack('badnets:colour=red'), /Unrecognized key/);
  assert.throws(() => parseAttack('badnets:size=2.5'), /size/);
  assert.throws(() => parseAttack('blend:alpha=1.5'), /alpha/);
  assert.throws(() => parseAttack('blend:alpha=abc'), /alpha/);
  assert.throws(() => parseAttack('blend:alpha'), /not key=value/);
  assert.throws(() => parseAttack('wanet:gridSize=1'), /gridSize/);
});

test('validateAttack checks configs from JSON', () => {
  assert.deepEqual(validateAttack({ kind: 'blend', alpha: 0.3, keySeed: 2 }), {
    kind: 'blend',
    alpha: 0.3,
    keySeed: 2,
  });
  assert.throws(() => validateAttack({ kind: 'blend', alpha: -1 }), /invalid attack config/);
});

test('formatAttack writes back what parseAttack reads', () => {
  assert.equal(formatAttack({ kind: 'blend' }), 'blend');
  assert.equal(formatAttack({ kind: 'blend', alpha: 0.05 }), 'blend:alpha=0.05');
  for (const text of ['badnets:size=4', 'blend:alpha=0.1,keySeed=3', 'wanet:strength=0.75'])
    assert.equal(formatAttack(parseAttack(text)), text);
});
