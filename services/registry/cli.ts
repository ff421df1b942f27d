/**
 * `permanence registry gc`: removes old versions from the live service's filesystem registry
 * (docs/service.md, Retention). bin/permanence.mjs hands `permanence registry ...` to this
 * file, so the simulator's CLI (sim/) never imports the service.
 */
import { Command, CommanderError } from 'commander';
import { gcRegistry } from './gc.ts';

interface GcFlags {
  dataDir: string;
  model: string;
  keepRecent: string;
  dryRun?: boolean;
}

/** Exit codes as the simulator's CLI uses them (sim/cli/usage.ts). */
const EXIT = { ok: 0, error: 1, usage: 2 } as const;

function nonNegativeInteger(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    console.error(`permanence: --${flag} must be a non-negative integer, got '${text}'`);
    process.exit(EXIT.usage);
  }
  return n;
}

function registryProgram(): Command {
  const program = new Command().name('permanence').exitOverride();
  const registry = program
    .command('registry')
    .description("Maintain the live service's filesystem model registry (its DATA_DIR).");
  registry
    .command('gc')
    .description(
      'Remove old model versions: keeps the promoted one, rollbacks in the pointer history, every version a campaign poisoned and the newest --keep-recent.',
    )
    .option('--data-dir <dir>', 'the registry folder (DATA_DIR of the service)', './data')
    .option('--model <name>', 'model name in the registry (MODEL_NAME)', 'live-mnist')
    .option('--keep-recent <n>', 'newest versions always kept', '500')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .action(async (flags: GcFlags) => {
      const keepRecent = nonNegativeInteger(flags.keepRecent, 'keep-recent');
      const { removed, kept } = await gcRegistry({
        dataDir: flags.dataDir,
        model: flags.model,
        keepRecent,
        dryRun: flags.dryRun === true,
      });
      const what = flags.dryRun ? 'would remove' : 'removed';
      const list = removed.length > 0 ? `: ${removed.map((v) => `v${v}`).join(', ')}` : '';
      console.log(`${what} ${removed.length} version(s)${list}; ${kept} kept`);
    });
  return program;
}

try {
  await registryProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    console.error(`permanence: ${(error as Error).message}`);
    process.exitCode = EXIT.error;
  }
}
