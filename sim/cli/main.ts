import { Command, CommanderError } from 'commander';
import { registerReport } from './commands/report.ts';
import { registerPlot } from './commands/plot.ts';
import { registerRun } from './commands/run.ts';
import { registerCrosscheck } from './commands/crosscheck.ts';
import { registerDefenseTable } from './commands/defense-table.ts';
import { registerScan } from './commands/scan.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerWorker } from './commands/worker.ts';
import { registerTheory } from './commands/theory.ts';

/**
 * `permanence <command>`: each command lives in its own file under commands/ and
 * registers itself here. Exit codes: 0 success, 1 error, 2 usage error, 3 backdoor flagged
 * (scan).
 */
const program = new Command()
  .name('permanence')
  .description('Simulate how long a backdoor survives in a model continually fine-tuned on drifting data.')
  .showHelpAfterError()
  .exitOverride();

registerRun(program);
registerPlot(program);
registerScan(program);
registerDefenseTable(program);
registerSweep(program);
registerWorker(program);
registerReport(program);
registerCrosscheck(program);
registerTheory(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`permanence: ${(error as Error).message}`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  }
}
