import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { writeAtomic } from './run-folder.ts';
import { FIGURE_FONT, renderSvg } from './plot.ts';

/** The formats a figure is written in: SVG for print and diffs, PNG for the Markdown pages. */
export const FIGURE_FORMATS = ['svg', 'png'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];

// resvg draws no glyph for a family it cannot find: load the figures' font by file when the
// system has it (fonts-dejavu-core, installed by scripts/install-system-deps.sh).
const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

/** Rasterises an SVG at `zoom` x its size (2 = print quality for a one-column figure). */
export function svgToPng(svg: string, zoom = 2): Buffer {
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: zoom },
    font: {
      loadSystemFonts: fontFiles.length === 0,
      fontFiles,
      defaultFontFamily: FIGURE_FONT,
      sansSerifFamily: FIGURE_FONT,
    },
  });
  return resvg.render().asPng();
}

/** Writes `<base>.svg` and `<base>.png` for a Vega-Lite spec; returns the paths written. */
export async function writeFigure(
  base: string,
  spec: TopLevelSpec,
  formats: readonly FigureFormat[] = FIGURE_FORMATS,
): Promise<string[]> {
  const svg = await renderSvg(spec);
  const paths: string[] = [];
  for (const format of formats) {
    const path = `${base}.${format}`;
    await writeAtomic(path, format === 'svg' ? svg : svgToPng(svg));
    paths.push(path);
  }
  return paths;
}
