import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DASHES,
  dodgeCoinciding,
  lineStyleEncoding,
  percentY,
  plural,
  seedsLabel,
  timelineCaption,
  updateTicks,
  updatesX,
  wrapLines,
} from '../../sim/experiment/figure-style.ts';

test('seedsLabel says "1 seed" and "3 seeds"', () => {
  assert.equal(seedsLabel(1), '1 seed');
  assert.equal(seedsLabel(3), '3 seeds');
  assert.equal(seedsLabel(0), '0 seeds');
  assert.equal(plural(1, 'epoch'), '1 epoch');
  assert.equal(plural(2, 'process', 'processes'), '2 processes');
});

test('dodgeCoinciding spreads series that meet at some x and leaves the others alone', () => {
  const rows = [
    { series: 'A', x: 0, mean: 1 },
    { series: 'A', x: 1, mean: 1 },
    { series: 'B', x: 0, mean: 0.996 }, // within 0.005 of A at x = 0
    { series: 'B', x: 1, mean: 0.5 },
    { series: 'C', x: 0, mean: 0.2 },
    { series: 'C', x: 1, mean: 0.2 },
  ];
  // A and B form a group of two: slots -0.5 and +0.5 times the step; C keeps its x.
  assert.deepEqual(dodgeCoinciding(rows, { tolerance: 0.005, step: 0.1 }), [-0.05, 0.95, 0.05, 1.05, 0, 1]);
});

test('dodgeCoinciding links chains of series and works per panel', () => {
  const rows = [
    { panel: 'p', series: 'A', x: 2, mean: 0.5 },
    { panel: 'p', series: 'B', x: 2, mean: 0.505 },
    { panel: 'p', series: 'C', x: 2, mean: 0.51 }, // meets B, not A: still one group of three
    { panel: 'q', series: 'A', x: 2, mean: 0.5 }, // alone in its panel
  ];
  assert.deepEqual(dodgeCoinciding(rows, { tolerance: 0.006, step: 1 }), [1, 2, 3, 2]);
});

test('dodgeCoinciding multiplies on a log axis', () => {
  const rows = [
    { series: 'A', x: 0.1, mean: 14 },
    { series: 'B', x: 0.1, mean: 14 },
  ];
  const [a, b] = dodgeCoinciding(rows, { tolerance: 0.1, step: 4, log: true });
  assert.ok(Math.abs(a - 0.05) < 1e-12); // 0.1 x 4^-0.5
  assert.ok(Math.abs(b - 0.2) < 1e-12); // 0.1 x 4^0.5
});

test('the axes: rates in percent on [0, 1], updates ending at the last one', () => {
  const y = percentY('mean', 'ASR') as { axis: { format: string }; scale: { domain: number[] } };
  assert.equal(y.axis.format, '.0%');
  assert.deepEqual(y.scale.domain, [0, 1]);
  const x = updatesX('model', 15) as { scale: { domain: number[]; nice: boolean } };
  assert.deepEqual(x.scale.domain, [0, 15]);
  assert.equal(x.scale.nice, false);
});

test('every series gets its own dash pattern, and the dashes share the colour legend', () => {
  const enc = lineStyleEncoding('series', ['a', 'b', 'c', 'd']) as {
    strokeDash: { scale: { range: number[][] }; legend?: unknown; title: unknown };
  };
  const range = enc.strokeDash.scale.range.map((d) => d.join(','));
  assert.equal(new Set(range).size, 4);
  assert.deepEqual(enc.strokeDash.scale.range[1], DASHES[1]);
  assert.equal(enc.strokeDash.legend, undefined); // legend: null would drop the merged legend
});

test('the caption explains line, band and rule, with "1 seed" grammar', () => {
  assert.equal(
    timelineCaption(1, 0.5, false),
    'Lines: 1 seed, so no band; dashed grey rule: γ = 0.5, the survivability threshold.',
  );
  assert.match(timelineCaption(3, null, true), /band: ±1 std over the 3 seeds; series that coincide/);
});

test('wrapLines breaks at spaces within the width', () => {
  assert.deepEqual(wrapLines('aa bb cc dd', 5), ['aa bb', 'cc dd']);
  assert.deepEqual(wrapLines('abcdefg hi', 5), ['abcdefg', 'hi']);
});

test('updateTicks ends at the last update and keeps about six labels', () => {
  assert.deepEqual(updateTicks(15), [0, 3, 6, 9, 12, 15]);
  assert.deepEqual(updateTicks(14), [0, 3, 6, 9, 12, 14]);
  assert.deepEqual(updateTicks(13), [0, 3, 6, 9, 13]); // 12 would crowd 13
  assert.deepEqual(updateTicks(5), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(updateTicks(1), [0, 1]);
});

test('slots keep a series on its dash when others are absent', () => {
  const enc = lineStyleEncoding('series', ['clean accuracy', 'static F0 accuracy'], null, [0, 2]) as {
    strokeDash: { scale: { range: unknown[] } };
  };
  assert.deepEqual(enc.strokeDash.scale.range, [DASHES[0], DASHES[2]]);
});
