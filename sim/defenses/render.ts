/**
 * The recovered triggers as one PNG: a column per label, rows mask (grey), pattern and the
 * trigger as stamped on a black image (M * P); each pixel drawn as a `zoom` x `zoom` block,
 * flagged labels framed in red.
 */
import { PNG } from 'pngjs';
import type { ScanResult } from './types.ts';

const GAP = 2;

export function triggerGridPng(
  result: Pick<ScanResult, 'triggers' | 'shape' | 'flaggedLabels'>,
  zoom = 4,
): Buffer {
  const { height: h, width: w, channels: c } = result.shape;
  const cols = result.triggers.length;
  const cellW = w * zoom + 2 * GAP;
  const cellH = h * zoom + 2 * GAP;
  const png = new PNG({ width: cols * cellW, height: 3 * cellH });
  png.data.fill(255);
  const put = (x: number, y: number, rgb: readonly number[]): void => {
    const at = (y * png.width + x) * 4;
    png.data[at] = rgb[0];
    png.data[at + 1] = rgb[1];
    png.data[at + 2] = rgb[2];
    png.data[at + 3] = 255;
  };
  const byte = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  result.triggers.forEach(({ label, mask, pattern }, col) => {
    const rows: ((i: number, ch: number) => number)[] = [
      (i) => mask[i],
      (i, ch) => pattern[i * c + ch],
      (i, ch) => mask[i] * pattern[i * c + ch],
    ];
    rows.forEach((value, row) => {
      const x0 = col * cellW;
      const y0 = row * cellH;
      const frame = result.flaggedLabels.includes(label) ? [220, 30, 30] : [255, 255, 255];
      for (let y = 0; y < cellH; y++) for (let x = 0; x < cellW; x++) put(x0 + x, y0 + y, frame);
      for (let i = 0; i < h * w; i++) {
        const rgb = [0, 1, 2].map((ch) => byte(value(i, c === 1 ? 0 : ch)));
        const px = x0 + GAP + (i % w) * zoom;
        const py = y0 + GAP + Math.floor(i / w) * zoom;
        for (let dy = 0; dy < zoom; dy++) for (let dx = 0; dx < zoom; dx++) put(px + dx, py + dy, rgb);
      }
    });
  });
  return PNG.sync.write(png);
}
