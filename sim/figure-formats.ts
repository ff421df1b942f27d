// Kept apart from sim/experiment/ (figure-files.ts loads vega, resvg and pdfkit): the CLI's
// start-up bundle, which prints --help, takes these and nothing of sim/experiment.

/** The formats a figure can be written in (docs/figures.md). */
export const FIGURE_FORMATS = ['svg', 'png', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];

/** SVG for diffs and print, PNG for the Markdown pages; PDF (for papers) when asked for. */
export const DEFAULT_FIGURE_FORMATS: readonly FigureFormat[] = ['svg', 'png'];

const isFormat = (s: string): s is FigureFormat => (FIGURE_FORMATS as readonly string[]).includes(s);

/** Parses a `--format` value such as "svg,png,pdf": known names, no repeats, at least one. */
export function parseFigureFormats(text: string): FigureFormat[] {
  const names = text.split(',').map((s) => s.trim().toLowerCase());
  const unknown = names.filter((n) => !isFormat(n));
  if (unknown.length > 0)
    throw new Error(
      `--format takes a comma-separated list of ${FIGURE_FORMATS.join(', ')}; got '${unknown.join("', '")}'`,
    );
  const formats = names.filter(isFormat);
  if (new Set(formats).size !== formats.length) throw new Error(`--format lists a format twice: '${text}'`);
  return formats;
}
