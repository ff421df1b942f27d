import type { Command } from 'commander';
import type { BackendName } from '../../backend/loader.ts';

export interface CrosscheckFlags {
  attacks: string[];
  schedules: string[];
  seeds: string;
  drift: string;
  updates: string;
  ratio: string;
  inject: string;
  f0Epochs: string;
  f0Batch: string;
  f0Schedule: string;
  updateEpochs: string;
  updateBatch: string;
  poolSubset?: string;
  threads: string;
  noiseThreads?: string;
  backend?: BackendName;
  out: string;
  f0Cache: string | false;
}

export function registerCrosscheck(program: Command): void {
  program
    .command('crosscheck')
    .description(
      'Run Permanence and its PyTorch twin (crosscheck/twin.py) on the same inputs and compare per model.',
    )
    .option('--attacks <specs...>', 'attacks, each as run --attack takes it', ['badnets', 'blend'])
    .option('--schedules <specs...>', 'update schedules', ['sgd:0.01', 'stlr:0.5'])
    .option('--seeds <list>', 'seed count or list', '0,1,2')
    .option('--drift <spec>', 'drift per update', 'rotate:4')
    .option('--updates <n>', 'fine-tuning updates', '15')
    .option('--ratio <alpha>', 'poison ratio', '0.1')
    .option('--inject <mode>', 'd0 | d1 | persistent:<k>', 'd0')
    .option('--f0-epochs <n>', 'epochs of F0 (the paper: 40 on MNIST)', '40')
    .option('--f0-batch <n>', 'batch size of F0 (the paper: 512)', '512')
    .option('--f0-schedule <spec>', 'F0 schedule', 'stlr:0.5')
    .option('--update-epochs <n>', 'epochs per update', '5')
    .option('--update-batch <n>', 'batch size of updates', '64')
    .option('--pool-subset <n>', 'draw this many pool images per update')
    .option('--threads <n>', 'torch threads of the twin', '2')
    .option('--noise-threads <n>', 'also rerun the twin with this many threads (float-noise floor)')
    .option('--backend <name>', 'Permanence backend (default: fastest available)')
    .option(
      '-o, --out <dir>',
      'results folder (jobs/<job>.json, summary.json, summary.md)',
      'docs/results/crosscheck',
    )
    .option('--f0-cache <dir>', 'share trained F0 models between the schedules', 'runs/.f0-cache')
    .option('--no-f0-cache', 'always train F0')
    .addHelpText(
      'after',
      `
One job per (attack, schedule, seed); a job whose result file exists is skipped, so a
study resumes where it stopped (also on another machine, from the committed files).
Examples:
  npm run crosscheck                                    # the 12-job study of docs/crosscheck.md
  npm run crosscheck -- --attacks badnets --schedules sgd:0.01 --seeds 0 --noise-threads 1`,
    )
    .action(async (flags: CrosscheckFlags) => {
      // The twin, the runner and tfjs load only when the command runs (--help stays fast).
      const { runCrosscheck } = await import('../../crosscheck/cli-run.ts');
      await runCrosscheck(flags);
    });
}
