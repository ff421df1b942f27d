import { commandLine } from '../command-line.ts';
import type { Command } from 'commander';
import { join } from 'node:path';
import { figureFormats, FORMAT_DEFAULT, FORMAT_FLAG, FORMAT_HELP } from '../figure-format-flag.ts';
import { UsageError } from '../usage.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("Aggregate a sweep's seeds and draw the paper's figures it covers into a Markdown report.")
    .argument('<sweep-dir>', 'a folder written by permanence sweep')
    .option('-o, --out <dir>', 'where to write report.md and figures/ (default <sweep-dir>/report)')
    .option(FORMAT_FLAG, FORMAT_HELP, FORMAT_DEFAULT)
    .option(
      '--note <text>',
      'a line to add under the header, e.g. the machine the sweep ran on (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--json', 'print one JSON document (jobs done, figures, files) on stdout')
    .addHelpText(
      'after',
      `
Works on a sweep in progress too (it reports the finished jobs). Writes report.md,
figures/*.svg, figures/*.png and experiments.csv; --format svg,png,pdf adds figures/*.pdf.
report.md shows the PNGs (or, without png, the first format listed).`,
    )
    .action(async (dir: string, flags: { out?: string; format: string; note: string[]; json?: boolean }) => {
      const formats = figureFormats(flags.format);
      const { loadSweep } = await import('../../report/load.ts');
      const { writeReport } = await import('../../report/write-report.ts');
      const { planSweep } = await import('../../sweep/plan.ts');
      const { readSweepMeta, writeIndex } = await import('../../sweep/store.ts');
      // The index is rebuilt first: distributed workers only write job folders.
      const meta = await readSweepMeta(dir).catch(() => {
        throw new UsageError(`${dir} is not a sweep folder (no sweep.json); run 'permanence sweep' first`);
      });
      await writeIndex(dir, meta.name, planSweep(meta.spec));
      const sweep = await loadSweep(dir);
      const out = flags.out ?? join(dir, 'report');
      const command = commandLine();
      const { figures } = await writeReport(sweep, out, command, { formats, notes: flags.note });
      const files = { report: join(out, 'report.md'), csv: join(out, 'experiments.csv') };
      if (flags.json) {
        const { done, total, failed } = sweep.index;
        console.log(JSON.stringify({ dir, done, total, failed, figures, files }, null, 2));
        return;
      }
      console.log(
        `${sweep.index.done}/${sweep.index.total} jobs; ${figures.length} figure(s); report: ${files.report}`,
      );
    });
}
