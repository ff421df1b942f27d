const DEJAVU = '/usr/share/fonts/truetype/dejavu';

/**
 * The figures' font, DejaVu Sans (fonts-dejavu-core, installed by
 * scripts/install-system-deps.sh), by face. Loaded by file, so a PNG or PDF looks the same
 * on every machine; it covers the Greek and math signs the figures use (γ, σ, ‖∇‖).
 * fonts-dejavu-core has no oblique faces: the figures set no italic text.
 */
export const FIGURE_FONT_FILES = {
  regular: `${DEJAVU}/DejaVuSans.ttf`,
  bold: `${DEJAVU}/DejaVuSans-Bold.ttf`,
} as const;
export type FontFace = keyof typeof FIGURE_FONT_FILES;

/** The face a text is set in: every family is drawn in DejaVu Sans, the weight kept. */
export function fontFace(bold: boolean): FontFace {
  return bold ? 'bold' : 'regular';
}
