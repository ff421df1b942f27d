/**
 * `permanence registry gc`: removes old versions from the live service's filesystem registry
 * (docs/service.md, Retention). Registered by services/cli/main.ts, so the simulator's CLI
 * (sim/) never imports the service.
 */
import type { Command } from 'commander';
import { nonNegativeInteger, usage } from '../../sim/cli/usage.ts';

interface GcFlags {
  dataDir: string;
  model: string;
  keepRecent: string;
  dryRun?: boolean;
}

export function registerRegistry(program: Command): void {
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
      const keepRecent = usage(() => nonNegativeInteger(flags.keepRecent, 'keep-recent'));
      const { gcRegistry } = await import('../registry/gc.ts');
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
}
