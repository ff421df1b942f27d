import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { imageSize, type ImageSet } from '../data/image-set.ts';
import type { Trigger } from './types.ts';

export interface RenderOptions {
  /** Example rows (default 4): the first image of each of the first classes. */
  readonly count?: number;
  /** Pixel magnification (default 3). */
  readonly scale?: number;
  /** Residual magnification, as in the paper's Figure 1 (default 3). */
  readonly residualGain?: number;
}

/**
 * Writes a PNG grid for docs: one row per example image; columns = the clean image, then
 * for each trigger the triggered image and its residual |x' - x| x residualGain. A 2-pixel
 * white gutter separates cells.
 */
export function renderExamplesPng(
  set: ImageSet,
  triggers: readonly Trigger[],
  path: string,
  options: RenderOptions = {},
): void {
  const rows = exampleIndices(set, options.count ?? 4);
  const scale = options.scale ?? 3;
  const gain = options.residualGain ?? 3;
  const size = imageSize(set);
  const gutter = 2;
  const cellW = set.width * scale + gutter;
  const cellH = set.height * scale + gutter;
  const cols = 1 + 2 * triggers.length;
  const png = new PNG({ width: cols * cellW + gutter, height: rows.length * cellH + gutter });
  png.data.fill(255);
  const draw = (image: Float32Array, row: number, col: number): void => {
    for (let y = 0; y < set.height * scale; y++) {
      for (let x = 0; x < set.width * scale; x++) {
        const p = (Math.floor(y / scale) * set.width + Math.floor(x / scale)) * set.channels;
        const o = ((gutter + row * cellH + y) * png.width + gutter + col * cellW + x) * 4;
        for (let c = 0; c < 3; c++) {
          const v = image[p + (set.channels >= 3 ? c : 0)];
          png.data[o + c] = Math.round(255 * Math.min(Math.max(v, 0), 1));
        }
        png.data[o + 3] = 255;
      }
    }
  };
  rows.forEach((index, row) => {
    const clean = set.images.subarray(index * size, (index + 1) * size);
    draw(clean, row, 0);
    triggers.forEach((trigger, t) => {
      const stamped = trigger.stamp(clean, set);
      draw(stamped, row, 1 + 2 * t);
      draw(
        stamped.map((v, i) => Math.abs(v - clean[i]) * gain),
        row,
        2 + 2 * t,
      );
    });
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png));
}

/** The first image of each class, in class order, up to `count` (then any images). */
function exampleIndices(set: ImageSet, count: number): number[] {
  const picked: number[] = [];
  for (let label = 0; label < set.numClasses && picked.length < count; label++) {
    const i = set.labels.indexOf(label);
    if (i >= 0) picked.push(i);
  }
  for (let i = 0; picked.length < Math.min(count, set.count); i++) if (!picked.includes(i)) picked.push(i);
  return picked;
}

/** `node --import tsx sim/attacks/render-examples.ts` regenerates docs/img/attacks-*.png. */
async function main(): Promise<void> {
  const { loadDataset } = await import('../data/registry.ts');
  const { ATTACK_KINDS, createTrigger } = await import('./registry.ts');
  for (const name of ['mnist', 'colour'] as const) {
    const { test } = loadDataset(name, 0);
    const triggers = ATTACK_KINDS.map((kind) => createTrigger({ kind }, test));
    const out = new URL(`../../docs/img/attacks-${name}.png`, import.meta.url);
    renderExamplesPng(test, triggers, out.pathname, { count: 4, scale: 3 });
    console.log(`wrote ${out.pathname}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
