import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleBrightness } from '../../sim/drift/brightness.ts';
import { shiftHue } from '../../sim/drift/hue.ts';
import { rotateImage } from '../../sim/drift/rotate.ts';
import { adjustSaturation } from '../../sim/drift/saturation.ts';
import type { Interpolation } from '../../sim/drift/types.ts';
import { loadMnist } from '../../sim/data/mnist.ts';
import { createRng } from '../../sim/rng.ts';
import { runPython } from '../helpers/python-torch.ts';

// Each drift against torchvision 0.14 (Debian python3-torchvision) on the same pixels.
const SCRIPT = 'crosscheck/drift_reference.py';

interface Case {
  op: 'rotate' | 'hue' | 'brightness' | 'saturation';
  angle?: number;
  interpolation?: Interpolation;
  amount?: number;
  factor?: number;
}

function reference(images: Float32Array[], shape: [number, number, number], cases: Case[]): number[][][] {
  const answer = runPython<{ results: number[][][] }>(SCRIPT, {
    images: images.map((img) => Array.from(img)),
    shape,
    cases,
  });
  return answer.results;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; count: number } {
  let max = 0;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 1e-6) count++;
    max = Math.max(max, d);
  }
  return { max, count };
}

const ANGLES = [4, 8, 13, 30, 45, 60, -20, 90, 180];

test('rotate matches torchvision F.rotate on MNIST digits, nearest (default) and bilinear', () => {
  const mnist = loadMnist();
  // Eight digits spread over the classes (the set is ordered by digit).
  const digits = Array.from({ length: 8 }, (_, k) =>
    mnist.images.slice(k * 1250 * 784, (k * 1250 + 1) * 784),
  );
  const shape = { height: 28, width: 28, channels: 1 };
  const cases: Case[] = ANGLES.flatMap((angle) =>
    (['nearest', 'bilinear'] as const).map((interpolation) => ({
      op: 'rotate' as const,
      angle,
      interpolation,
    })),
  );
  const expected = reference(digits, [28, 28, 1], cases);
  cases.forEach((c, k) => {
    digits.forEach((img, i) => {
      const ours = rotateImage(img, shape, c.angle!, c.interpolation);
      const { max, count } = maxDiff(ours, expected[k][i]);
      // Nearest copies pixels, so it must agree exactly; bilinear within float32 rounding.
      const tol = c.interpolation === 'nearest' ? 0 : 1e-5;
      assert.ok(
        max <= tol,
        `${c.interpolation} ${c.angle} deg, digit ${i}: ${count} pixels differ, max ${max}`,
      );
    });
  });
});

test('nearest rotation by 90 and 180 degrees is exact rot90 on an odd and an even size', () => {
  for (const size of [5, 6]) {
    const img = Float32Array.from({ length: size * size }, (_, i) => i + 1);
    const shape = { height: size, width: size, channels: 1 };
    // np.rot90 (counter-clockwise): out[r][c] = in[c][size - 1 - r]
    const rot90 = Float32Array.from({ length: size * size }, (_, p) => {
      const [r, c] = [Math.floor(p / size), p % size];
      return img[c * size + (size - 1 - r)];
    });
    const rot180 = Float32Array.from(img).reverse();
    assert.deepEqual(Array.from(rotateImage(img, shape, 90)), Array.from(rot90), `90 on ${size}`);
    assert.deepEqual(Array.from(rotateImage(img, shape, 180)), Array.from(rot180), `180 on ${size}`);
    // Bilinear lands on the same pixels up to float32 rounding of sin and cos.
    const { max } = maxDiff(rotateImage(img, shape, 90, 'bilinear'), rot90);
    assert.ok(max < 1e-4 * size * size, `bilinear 90 on ${size}: ${max}`);
  }
});

test('hue, brightness and saturation match torchvision on random RGB images', () => {
  const rng = createRng(7);
  const shape = { height: 6, width: 5, channels: 3 };
  const images = Array.from({ length: 4 }, () =>
    Float32Array.from({ length: 90 }, () => Math.fround(rng.next())),
  );
  // Include grays and saturated pixels, where the HSV branches switch.
  images[0].set([0.5, 0.5, 0.5, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0]);
  const cases: Case[] = [
    { op: 'hue', amount: 0.02 },
    { op: 'hue', amount: 0.3 },
    { op: 'hue', amount: -0.45 },
    { op: 'brightness', factor: 1.3 },
    { op: 'brightness', factor: 0.6 },
    { op: 'saturation', factor: 1.5 },
    { op: 'saturation', factor: 0.4 },
  ];
  const expected = reference(images, [6, 5, 3], cases);
  const ours: Record<Case['op'], (img: Float32Array, c: Case) => Float32Array> = {
    rotate: () => {
      throw new Error('not used');
    },
    hue: (img, c) => shiftHue(img, shape, c.amount!),
    brightness: (img, c) => scaleBrightness(img, shape, c.factor!),
    saturation: (img, c) => adjustSaturation(img, shape, c.factor!),
  };
  cases.forEach((c, k) => {
    images.forEach((img, i) => {
      const { max, count } = maxDiff(ours[c.op](img, c), expected[k][i]);
      assert.ok(
        max <= 2e-6,
        `${c.op} ${c.amount ?? c.factor}, image ${i}: ${count} values differ, max ${max}`,
      );
    });
  });
});
