const DEJAVU = '/usr/share/fonts/truetype/dejavu';

/**
 * The figures' font, DejaVu Sans (fonts-dejavu-core, installed by
 * scripts/install-system-deps.sh), by face. Loaded by file, so a PNG or PDF looks the same
 * on every machine; it covers the Greek and math signs the figures use (γ, σ, ‖∇‖).
 */
export const FIGURE_FONT_FILES = {
  regular: `${DEJAVU}/DejaVuSans.ttf`,
  bold: `${DEJAVU}/DejaVuSans-Bold.ttf`,
  italic: `${DEJAVU}/DejaVuSans-Oblique.ttf`,
  boldItalic: `${DEJAVU}/DejaVuSans-BoldOblique.ttf`,
} as const;
export type FontFace = keyof typeof FIGURE_FONT_FILES;

/** The face a text is set in: every family is drawn in DejaVu Sans, bold and italic kept. */
export function fontFace(bold: boolean, italic: boolean): FontFace {
  if (bold) return italic ? 'boldItalic' : 'bold';
  return italic ? 'italic' : 'regular';
}
