import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerReport } from './commands/report.ts';
import { registerPlot } from './commands/plot.ts';
import { registerRun } from './commands/run.ts';
import { registerCrosscheck } from './commands/crosscheck.ts';
import { registerDefenseTable } from './commands/defense-table.ts';
import { registerScan } from './commands/scan.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerWorker } from './commands/worker.ts';
import { registerTheory } from './commands/theory.ts';
import { EXIT, UsageError } from './usage.ts';

/**
 * `permanence <command>`: each command lives in its own file under commands/ and
 * registers itself here. The command files import tfjs, the backends and the other heavy
 * modules inside their actions only, so `--help` and `--version` answer at once.
 */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command()
  .name('permanence')
  .description('Simulate how long a backdoor survives in a model continually fine-tuned on drifting data.')
  .version(version, '-V, --version', 'print the version and exit')
  .option('-v, --verbose', 'also print the backend selection notices (which backends were skipped and why)')
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true })
  .exitOverride()
  .addHelpText(
    'after',
    `
The live service's registry has its own command: permanence registry gc --help (docs/service.md).

Exit codes: ${EXIT.ok} success; ${EXIT.error} error while running; ${EXIT.usage} usage error (unknown flag,
bad flag value or invalid config); ${EXIT.flagged} a scan flagged the model (scan).`,
  );

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
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof UsageError) {
    console.error(`permanence: ${error.message}`);
    process.exitCode = EXIT.usage;
  } else {
    console.error(`permanence: ${(error as Error).message}`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : EXIT.error;
  }
}
