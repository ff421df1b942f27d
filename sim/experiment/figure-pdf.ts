import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { FIGURE_FONT_FILES, fontFace } from './figure-fonts.ts';

/** PDF points per SVG user unit: a CSS pixel is 1/96 in, a point 1/72 in (CSS Values, absolute lengths). */
export const PX_TO_PT = 72 / 96;

/** The width and height an SVG declares on its root element, in CSS pixels. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const attr = (name: string): number => {
    const value = new RegExp(`\\s${name}="([\\d.]+)(px)?"`).exec(root)?.[1];
    if (value === undefined) throw new Error(`SVG root has no ${name} in px`);
    return Number(value);
  };
  return { width: attr('width'), height: attr('height') };
}

/**
 * A stroke-dasharray pdfkit accepts, drawn the same: pdfkit refuses zero lengths, which SVG and
 * PDF allow. Zero gaps everywhere is a solid line (the legend's first series, "1,0"); any other
 * zero becomes a hundredth of a pixel (a round-capped dot stays a dot).
 */
export function pdfDashArray(value: string): string {
  if (value.trim() === 'none') return 'none';
  const lengths = value
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map(Number);
  // An odd list repeats to an even one: dash, gap, dash, gap, ...
  const even = lengths.length % 2 === 1 ? [...lengths, ...lengths] : lengths;
  if (even.every((v, i) => i % 2 === 0 || v === 0)) return 'none';
  return lengths.map((v) => (v === 0 ? 0.01 : v)).join(',');
}

/** The SVG with every stroke-dasharray rewritten by `pdfDashArray`. */
export function pdfSafeSvg(svg: string): string {
  return svg.replace(
    /stroke-dasharray="([^"]*)"/g,
    (_, v: string) => `stroke-dasharray="${pdfDashArray(v)}"`,
  );
}

/**
 * SOURCE_DATE_EPOCH (seconds; reproducible-builds.org) as the PDF's date when set, so that a
 * rebuilt PDF is byte for byte the same; otherwise now.
 */
export function sourceDate(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

export interface PdfOptions {
  /** Stored as the PDF's CreationDate (default `sourceDate()`); fixed, the same SVG gives the same bytes. */
  readonly creationDate?: Date;
}

/**
 * Converts a figure's SVG to a one-page vector PDF of the same physical size (1 px = 0.75 pt):
 * lines, dashes and bands stay paths, and text stays text set in embedded, subset DejaVu Sans,
 * so it can be searched and copied and "γ" shows whatever fonts the reader has.
 */
export function svgToPdf(svg: string, options: PdfOptions = {}): Promise<Buffer> {
  const missing = Object.values(FIGURE_FONT_FILES).filter((f) => !existsSync(f));
  if (missing.length > 0)
    throw new Error(
      `PDF figures need fonts-dejavu-core (scripts/install-system-deps.sh): missing ${missing.join(', ')}`,
    );
  const { width, height } = svgSize(svg);
  const size = [width * PX_TO_PT, height * PX_TO_PT];
  const doc = new PDFDocument({
    size,
    margin: 0,
    info: { Creator: 'Permanence', CreationDate: options.creationDate ?? sourceDate() },
  });
  for (const [face, file] of Object.entries(FIGURE_FONT_FILES)) doc.registerFont(face, file);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const warnings: string[] = [];
  // The types declare the class where the function takes an instance.
  SVGtoPDF(doc as unknown as typeof PDFDocument, pdfSafeSvg(svg), 0, 0, {
    width: size[0],
    height: size[1],
    fontCallback: (_family, bold, italic, face) => {
      face.fauxItalic = italic; // slanted by svg-to-pdfkit
      return fontFace(bold);
    },
    warningCallback: (w) => warnings.push(w),
  });
  if (warnings.length > 0) throw new Error(`svg-to-pdfkit: ${warnings.join('; ')}`);
  doc.end();
  return done;
}
