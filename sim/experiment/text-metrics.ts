import { existsSync } from 'node:fs';
import * as fontkit from 'fontkit';
import * as vega from 'vega';
import { FIGURE_FONT_FILES, fontFace, type FontFace } from './figure-fonts.ts';
import { wrapLines } from './figure-style.ts';

/**
 * Text widths for Vega's layout, measured in the figures' font. Headless (no canvas), Vega
 * estimates a text as 0.8 x font size per character (vega-scenegraph `estimateWidth`),
 * about 1.4x DejaVu Sans' real width: a long title or a rotated axis title then sets a
 * canvas far larger than what is drawn, leaving a blank band right of a one-panel figure
 * and above and below its plot.
 */

const fonts = new Map<FontFace, fontkit.Font | null>();

function loadFont(face: FontFace): fontkit.Font | null {
  if (!fonts.has(face)) {
    const file = FIGURE_FONT_FILES[face];
    const opened = existsSync(file) ? fontkit.openSync(file) : null;
    // A .ttf holds one font; a collection (.ttc) is not what figure-fonts.ts names.
    fonts.set(face, opened && 'layout' in opened ? opened : null);
  }
  return fonts.get(face) ?? null;
}

const widths = new Map<string, number>();

/**
 * The advance width in px of `text` set in DejaVu Sans at `fontSize` px, kerned as resvg and
 * PDF readers set it; null when the font file is missing.
 */
export function textWidth(text: string, fontSize: number, bold = false): number | null {
  const font = loadFont(fontFace(bold));
  if (!font) return null;
  const key = `${bold ? 'b' : 'r'}${fontSize}\u0000${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    width = (font.layout(text).advanceWidth / font.unitsPerEm) * fontSize;
    widths.set(key, width);
  }
  return width;
}

/** Whether a CSS font weight ("bold", 700, "600") selects the bold face. */
export function isBold(weight: unknown): boolean {
  if (weight === 'bold' || weight === 'bolder') return true;
  const n = Number(weight);
  return Number.isFinite(n) && n >= 600;
}

/** The text properties of a Vega scenegraph item that its width depends on. */
interface TextItem {
  readonly fontSize?: number | string;
  readonly fontWeight?: number | string;
  readonly limit?: number;
}

type WidthFn = (item: TextItem, text: unknown) => number;

/**
 * The width of a text item as Vega's layout sees it: measured, and capped at the item's
 * `limit` (Vega truncates longer text to fit it, so its bounds are the limit at most).
 */
export function itemTextWidth(item: TextItem, text: unknown): number {
  const value = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  if (size <= 0 || value === '') return 0;
  const measured = textWidth(value, size, isBold(item.fontWeight)) ?? 0.8 * value.length * size;
  const limit = Number(item.limit);
  return limit > 0 ? Math.min(measured, limit) : measured;
}

/**
 * `text` broken at spaces into lines at most `width` px wide in DejaVu Sans (Vega sets an
 * array of strings as lines): a title no wider than the panels under it.
 */
export function wrapToWidth(text: string, width: number, fontSize: number, bold = false): string[] {
  return wrapLines(text, width, (t) => itemTextWidth({ fontSize, fontWeight: bold ? 'bold' : 'normal' }, t));
}

let installed = false;

/**
 * Makes Vega measure text in the figures' font (a user-defined width function, which Vega
 * supports in place of a canvas): once per process, and only when the font files exist.
 */
export function useFigureTextMetrics(): void {
  if (installed) return;
  installed = true;
  if (!loadFont('regular') || !loadFont('bold')) return;
  // vega re-exports vega-scenegraph's textMetrics; its typings leave it out.
  const { textMetrics } = vega as unknown as { textMetrics: { width: WidthFn } };
  textMetrics.width = itemTextWidth;
}
