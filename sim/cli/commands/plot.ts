import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentResults } from '../../experiment/results.ts';
import { figureFormats, FORMAT_DEFAULT, FORMAT_FLAG, FORMAT_HELP } from '../figure-format-flag.ts';

/** `permanence plot <run folder>`: redraws plot.svg and plot.png (and plot.pdf if asked) from results.json. */
export function registerPlot(program: Command): void {
  program
    .command('plot')
    .description(
      "Redraw a run's plot.svg and plot.png (accuracy and ASR per update) from its results.json; --format svg,png,pdf adds plot.pdf.",
    )
    .argument('<run>', 'run folder written by permanence run')
    .option('--title <text>', 'plot title')
    .option(FORMAT_FLAG, FORMAT_HELP, FORMAT_DEFAULT)
    .action(async (run: string, flags: { title?: string; format: string }) => {
      const formats = figureFormats(flags.format);
      const { defaultPlotTitle, timelineSpec } = await import('../../experiment/plot.ts');
      const { writeFigure } = await import('../../experiment/figure-files.ts');
      const results = JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as ExperimentResults;
      const title = flags.title ?? defaultPlotTitle(results);
      for (const path of await writeFigure(join(run, 'plot'), timelineSpec(results, title), formats))
        console.log(path);
    });
}
