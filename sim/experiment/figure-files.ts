import { Resvg } from '@resvg/resvg-js';
import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { writeAtomic } from './run-folder.ts';
import { FIGURE_FONT_FILES } from './figure-fonts.ts';
import { DEFAULT_FIGURE_FORMATS, type FigureFormat } from '../figure-formats.ts';
import { FIGURE_FONT, renderSvg } from './plot.ts';

// resvg draws no glyph for a family it cannot find: load the figures' font by file when the
// system has it.
const FONT_FILES = Object.values(FIGURE_FONT_FILES);

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

/** The bytes of a figure's SVG in `format`. */
async function encode(svg: string, format: FigureFormat): Promise<string | Buffer> {
  if (format === 'svg') return svg;
  if (format === 'png') return svgToPng(svg);
  // pdfkit loads only when a PDF is asked for.
  const { svgToPdf } = await import('./figure-pdf.ts');
  return svgToPdf(svg);
}

/** Writes `<base>.<format>` for each format (default SVG and PNG); returns the paths written. */
export async function writeFigure(
  base: string,
  spec: TopLevelSpec,
  formats: readonly FigureFormat[] = DEFAULT_FIGURE_FORMATS,
): Promise<string[]> {
  const svg = await renderSvg(spec);
  const paths: string[] = [];
  for (const format of formats) {
    const path = `${base}.${format}`;
    await writeAtomic(path, await encode(svg, format));
    paths.push(path);
  }
  return paths;
}
