import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotateImage } from '../../sim/drift/rotate.ts';
import { assertClose } from './helpers.ts';

const gray3 = { height: 3, width: 3, channels: 1 };
const ramp = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

test('rotate 90 degrees is a counter-clockwise quarter turn (np.rot90)', () => {
  assertClose(rotateImage(ramp, gray3, 90), [3, 6, 9, 2, 5, 8, 1, 4, 7], 1e-5);
});

test('rotate -90 degrees turns clockwise', () => {
  assertClose(rotateImage(ramp, gray3, -90), [7, 4, 1, 8, 5, 2, 9, 6, 3], 1e-5);
});

test('rotate 0 is the identity and 360 returns the image', () => {
  assertClose(rotateImage(ramp, gray3, 0), ramp);
  assertClose(rotateImage(ramp, gray3, 360), ramp, 1e-5);
});

test('rotate 45 degrees: bilinear weights and zero fill at a corner', () => {
  // Output (0,0) is (-1,-1) from the centre; it samples x = cos45*(-1) - sin45*(-1) = 0,
  // y = sin45*(-1) + cos45*(-1) = -sqrt2 from the centre, i.e. source col 1, row 1 - sqrt2:
  // between row -1 (outside, 0) and row 0 (value 2) with weight 2 - sqrt2 on row 0.
  const out = rotateImage(ramp, gray3, 45, 'bilinear');
  assert.ok(Math.abs(out[0] - 2 * (2 - Math.SQRT2)) < 1e-5, `got ${out[0]}`);
  // The centre stays put.
  assert.ok(Math.abs(out[4] - 5) < 1e-6);
});

test('rotate 180 on a 2x2 image swaps diagonals exactly (centre at a pixel corner)', () => {
  const img = Float32Array.from([1, 2, 3, 4]);
  assertClose(rotateImage(img, { height: 2, width: 2, channels: 1 }, 180), [4, 3, 2, 1], 1e-6);
});

test('half-pixel bilinear case: rotating a 1x2 image by 90 degrees averages both pixels', () => {
  // Centre (0.5, 0). Output pixel (0, 0) is (-0.5, 0) from the centre and samples (0, -0.5)
  // from it: col 0.5 (half each pixel), row -0.5 (half in row 0, half outside = 0).
  const img = Float32Array.from([0.2, 0.6]);
  const out = rotateImage(img, { height: 1, width: 2, channels: 1 }, 90, 'bilinear');
  assertClose(out, [0.5 * 0.4, 0.5 * 0.4], 1e-6);
});

test('nearest rotation by 45 degrees copies the nearest source pixel or fills 0', () => {
  // Output (0,0) samples (col 1, row 1 - sqrt2 = -0.41): nearest row 0, col 1 -> value 2.
  // Output (0,1) samples (col 1 + 0.71, row 1 - 0.71) -> (2, 0) -> 3, etc.
  assertClose(rotateImage(ramp, gray3, 45), [2, 3, 6, 1, 5, 9, 4, 7, 8]);
});

test('rotation applies the same map to every channel', () => {
  const rgb = new Float32Array(27);
  for (let p = 0; p < 9; p++) rgb.set([ramp[p], 10 * ramp[p], 100 * ramp[p]], p * 3);
  const out = rotateImage(rgb, { height: 3, width: 3, channels: 3 }, 90);
  const expected = [3, 6, 9, 2, 5, 8, 1, 4, 7];
  for (let p = 0; p < 9; p++)
    assertClose(
      out.subarray(p * 3, p * 3 + 3),
      [1, 10, 100].map((k) => k * expected[p]),
      1e-4,
    );
});
