import type { Command } from 'commander';
import { join } from 'node:path';
import { loadSweep } from '../../report/load.ts';
import { writeReport } from '../../report/write-report.ts';
import { planSweep } from '../../sweep/plan.ts';
import { readSweepMeta, writeIndex } from '../../sweep/store.ts';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("Aggregate a sweep's seeds and draw the paper's figures it covers into a Markdown report.")
    .argument('<sweep-dir>', 'a folder written by permanence sweep')
    .option('-o, --out <dir>', 'where to write report.md and figures/ (default <sweep-dir>/report)')
    .addHelpText(
      'after',
      `
Works on a sweep in progress too (it reports the finished jobs). Writes report.md,
figures/*.svg and experiments.csv.`,
    )
    .action(async (dir: string, flags: { out?: string }) => {
      // The index is rebuilt first: distributed workers only write job folders.
      const meta = await readSweepMeta(dir).catch(() => {
        throw new Error(`${dir} is not a sweep folder (no sweep.json); run 'permanence sweep' first`);
      });
      await writeIndex(dir, meta.name, planSweep(meta.spec));
      const sweep = await loadSweep(dir);
      const out = flags.out ?? join(dir, 'report');
      const command = ['permanence', ...process.argv.slice(2)].join(' ');
      const { figures } = await writeReport(sweep, out, command);
      console.log(
        `${sweep.index.done}/${sweep.index.total} jobs; ${figures.length} figure(s); report: ${join(out, 'report.md')}`,
      );
    });
}
