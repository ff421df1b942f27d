import { PNG } from 'pngjs';

/** An image's dark pixels (ink: text, lines, markers), row by row. */
export interface DarkMask {
  readonly width: number;
  readonly height: number;
  readonly dark: Uint8Array;
}

/** Pixels whose luminance over white (Rec. 601 weights) is below `threshold` of 255. */
export function darkMask(png: Buffer, threshold = 128): DarkMask {
  const { width, height, data } = PNG.sync.read(png);
  const dark = new Uint8Array(width * height);
  for (let i = 0; i < dark.length; i++) {
    const alpha = data[4 * i + 3] / 255;
    const lum = (0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) * alpha;
    dark[i] = lum + 255 * (1 - alpha) < threshold ? 1 : 0;
  }
  return { width, height, dark };
}

/**
 * The share of dark pixels, of both images together, with no dark pixel of the other image
 * within `radius` pixels: 0 for the same drawing, up to 1 for drawings that share no ink.
 * The radius absorbs anti-aliasing, which two rasterisers never do the same.
 */
export function unmatchedDark(a: DarkMask, b: DarkMask, radius = 1): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`sizes differ: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  const { width, height } = a;
  const near = (m: Uint8Array, x: number, y: number): boolean => {
    for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++)
      for (let xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++)
        if (m[yy * width + xx]) return true;
    return false;
  };
  let total = 0;
  let unmatched = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      for (const [self, other] of [
        [a.dark, b.dark],
        [b.dark, a.dark],
      ]) {
        if (!self[i]) continue;
        total++;
        if (!near(other, x, y)) unmatched++;
      }
    }
  return total === 0 ? 0 : unmatched / total;
}
