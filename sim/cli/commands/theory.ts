import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { renderSvg } from '../../experiment/plot.ts';
import { writeAtomic } from '../../experiment/run-folder.ts';
import { theorySpec } from '../../theory/figure.ts';
import { QUICK_OPTIONS, runTheoryStudy, type TheoryOptions } from '../../theory/study.ts';
import { theoryMarkdown } from '../../theory/table.ts';

interface TheoryFlags {
  ratios?: string;
  iterations?: string;
  seed?: string;
  repeats?: string;
  lambda?: string;
  out?: string;
  quick?: boolean;
  json?: boolean;
}

/** `permanence theory`: the paper's section 4 (Lemma 4.2, Theorem 4.3, Corollary 4.4) on a strongly convex model. */
export function registerTheory(program: Command): void {
  program
    .command('theory')
    .description(
      "Check the paper's section 4 on softmax regression + L2: constants, poisoned optimum, clean SGD vs Theorem 4.3's bound.",
    )
    .option('--ratios <list>', 'poison ratios alpha, comma-separated (default 0.01,0.05,0.1,0.2,0.4)')
    .option('--iterations <n>', 'clean SGD iterations per schedule (default 5000)')
    .option('--seed <n>', 'data split and SGD seed (default 0)')
    .option('--repeats <n>', 'minibatch streams averaged per schedule (default 3)')
    .option('--lambda <x>', 'L2 coefficient, = the strong convexity sigma (default 0.01)')
    .option('-o, --out <dir>', 'run folder (default runs/theory-<timestamp>)')
    .option('--quick', 'a small version in seconds (800 D0 images, 2 ratios, 300 iterations)')
    .option('--json', 'print theory.json to stdout instead of the progress and summary')
    .addHelpText(
      'after',
      `
Writes <out>/theory.json (options, choices, constants, per-ratio curves and bounds), theory.md
(tables) and theory.svg (distance and ASR per ratio against the bound).`,
    )
    .action(async (flags: TheoryFlags) => {
      const options: TheoryOptions = { ...(flags.quick ? QUICK_OPTIONS : {}) };
      if (flags.ratios !== undefined) options.ratios = numberList(flags.ratios, '--ratios');
      if (flags.iterations !== undefined) options.iterations = number(flags.iterations, '--iterations');
      if (flags.seed !== undefined) options.seed = number(flags.seed, '--seed');
      if (flags.repeats !== undefined) options.repeats = number(flags.repeats, '--repeats');
      if (flags.lambda !== undefined) options.lambda = number(flags.lambda, '--lambda');
      const out = flags.out ?? join('runs', `theory-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const result = runTheoryStudy(options, flags.json ? undefined : (line) => console.error(line));
      await mkdir(out, { recursive: true });
      const json = JSON.stringify(result, null, 1);
      await writeAtomic(join(out, 'theory.json'), json);
      await writeAtomic(join(out, 'theory.md'), theoryMarkdown(result));
      await writeAtomic(join(out, 'theory.svg'), await renderSvg(theorySpec(result)));
      if (flags.json) console.log(json);
      else
        console.log(
          `wrote ${['theory.json', 'theory.md', 'theory.svg'].map((f) => join(out, f)).join(', ')}`,
        );
    });
}

function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag}: '${text}' is not a number`);
  return value;
}

function numberList(text: string, flag: string): number[] {
  return text.split(',').map((part) => number(part, flag));
}
