import { test } from 'node:test';
import { scaleBrightness } from '../../sim/drift/brightness.ts';
import { hsvToRgb, rgbToHsv } from '../../sim/drift/hsv.ts';
import { shiftHue } from '../../sim/drift/hue.ts';
import { adjustSaturation } from '../../sim/drift/saturation.ts';
import { assertClose } from './helpers.ts';

const px = { height: 1, width: 1, channels: 3 };

test('rgbToHsv of primaries and a gray', () => {
  assertClose(rgbToHsv(1, 0, 0), [0, 1, 1]);
  assertClose(rgbToHsv(0, 1, 0), [1 / 3, 1, 1]);
  assertClose(rgbToHsv(0, 0, 0.5), [2 / 3, 1, 0.5]);
  assertClose(rgbToHsv(0.4, 0.4, 0.4), [0, 0, 0.4]);
  // Orange (1, 0.5, 0): h = (g - b) / (max - min) / 6 = 1/12.
  assertClose(rgbToHsv(1, 0.5, 0), [1 / 12, 1, 1]);
});

test('hsvToRgb inverts rgbToHsv', () => {
  const colours: [number, number, number][] = [
    [0.2, 0.7, 0.3],
    [0.9, 0.1, 0.5],
    [0.3, 0.3, 0.8],
  ];
  for (const [r, g, b] of colours) assertClose(hsvToRgb(...rgbToHsv(r, g, b)), [r, g, b], 1e-6);
});

test('hue shift: pure red by 1/3 turn is green, by 2/3 is blue, by 1 is red again', () => {
  const red = Float32Array.from([1, 0, 0]);
  assertClose(shiftHue(red, px, 1 / 3), [0, 1, 0], 1e-6);
  assertClose(shiftHue(red, px, 2 / 3), [0, 0, 1], 1e-6);
  assertClose(shiftHue(red, px, 1), [1, 0, 0], 1e-6);
  assertClose(shiftHue(red, px, -1 / 3), [0, 0, 1], 1e-6);
});

test('hue shift: red by 0.1 turn keeps s and v, h = 0.1 -> (1, 0.6, 0)', () => {
  // h*6 = 0.6 in sector 0: (v, t, p) with t = v (1 - s (1 - f)) = 0.6.
  assertClose(shiftHue(Float32Array.from([1, 0, 0]), px, 0.1), [1, 0.6, 0], 1e-6);
});

test('hue shift leaves grays and single-channel images unchanged', () => {
  assertClose(shiftHue(Float32Array.from([0.3, 0.3, 0.3]), px, 0.25), [0.3, 0.3, 0.3], 1e-7);
  const gray = Float32Array.from([0.1, 0.9]);
  assertClose(shiftHue(gray, { height: 1, width: 2, channels: 1 }, 0.3), gray);
});

test('brightness multiplies and clips', () => {
  assertClose(scaleBrightness(Float32Array.from([0.2, 0.5, 0.8]), px, 1.5), [0.3, 0.75, 1], 1e-6);
  assertClose(scaleBrightness(Float32Array.from([0.2, 0.5, 0.8]), px, 0.5), [0.1, 0.25, 0.4], 1e-6);
});

test("saturation 0 gives torchvision's gray, 1 the image, 2 extrapolates and clips", () => {
  const rgb = Float32Array.from([1, 0.5, 0]);
  const gray = 0.2989 + 0.587 * 0.5; // 0.5924, torchvision's rgb_to_grayscale weights
  assertClose(adjustSaturation(rgb, px, 0), [gray, gray, gray], 1e-6);
  assertClose(adjustSaturation(rgb, px, 1), rgb, 1e-7);
  // 2x - gray: (1.4076 -> 1, 0.4076, -0.5924 -> 0).
  assertClose(adjustSaturation(rgb, px, 2), [1, 1 - gray, 0], 1e-6);
});
