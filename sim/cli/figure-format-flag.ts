import {
  DEFAULT_FIGURE_FORMATS,
  FIGURE_FORMATS,
  parseFigureFormats,
  type FigureFormat,
} from '../figure-formats.ts';
import { usage } from './usage.ts';

/** `--format` of the commands that draw figures (run, plot, report): flag, help, default. */
export const FORMAT_FLAG = '--format <list>';
export const FORMAT_HELP = `figure files to write, comma-separated: ${FIGURE_FORMATS.join(', ')} (pdf: vector, text kept as text)`;
export const FORMAT_DEFAULT = DEFAULT_FIGURE_FORMATS.join(',');

/** The formats a `--format` value asks for; a bad value is a usage error (exit 2). */
export function figureFormats(text: string = FORMAT_DEFAULT): FigureFormat[] {
  return usage(() => parseFigureFormats(text));
}
