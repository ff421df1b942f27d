import type { Command } from 'commander';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
// The study, figures and writers load inside the action, so that --help stays fast.
import type { TheoryOptions, TheoryResult } from '../../theory/study.ts';

interface TheoryFlags {
  ratios?: string;
  iterations?: string;
  seed?: string;
  repeats?: string;
  lambda?: string;
  out?: string;
  quick?: boolean;
  json?: boolean;
  redraw?: string;
}

const FILES = ['theory.json', 'theory.md', 'theory.svg', 'theory-survival.svg'];

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
    .option(
      '--redraw <dir>',
      "rewrite a run folder's tables and figures from its theory.json (no computation)",
    )
    .addHelpText(
      'after',
      `
Writes <out>/theory.json (options, choices, constants, per-ratio curves and bounds), theory.md
(tables), theory.svg (distance and ASR per ratio against the bound) and theory-survival.svg
(iterations until ASR < 50% per ratio).`,
    )
    .action(async (flags: TheoryFlags) => {
      if (flags.redraw !== undefined) {
        const result = JSON.parse(await readFile(join(flags.redraw, 'theory.json'), 'utf8')) as TheoryResult;
        await writeOutputs(flags.redraw, result, false);
        console.log(
          `wrote ${FILES.slice(1)
            .map((f) => join(flags.redraw!, f))
            .join(', ')}`,
        );
        return;
      }
      const { QUICK_OPTIONS, runTheoryStudy } = await import('../../theory/study.ts');
      const options: TheoryOptions = { ...(flags.quick ? QUICK_OPTIONS : {}) };
      if (flags.ratios !== undefined) options.ratios = numberList(flags.ratios, '--ratios');
      if (flags.iterations !== undefined) options.iterations = number(flags.iterations, '--iterations');
      if (flags.seed !== undefined) options.seed = number(flags.seed, '--seed');
      if (flags.repeats !== undefined) options.repeats = number(flags.repeats, '--repeats');
      if (flags.lambda !== undefined) options.lambda = number(flags.lambda, '--lambda');
      const out = flags.out ?? join('runs', `theory-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const result = runTheoryStudy(options, flags.json ? undefined : (line) => console.error(line));
      await writeOutputs(out, result, true);
      if (flags.json) console.log(JSON.stringify(result, null, 1));
      else console.log(`wrote ${FILES.map((f) => join(out, f)).join(', ')}`);
    });
}

async function writeOutputs(dir: string, result: TheoryResult, withJson: boolean): Promise<void> {
  const { renderSvg } = await import('../../experiment/plot.ts');
  const { writeAtomic } = await import('../../experiment/run-folder.ts');
  const { survivalSpec, theorySpec } = await import('../../theory/figure.ts');
  const { theoryMarkdown } = await import('../../theory/table.ts');
  await mkdir(dir, { recursive: true });
  if (withJson) await writeAtomic(join(dir, 'theory.json'), JSON.stringify(result, null, 1));
  await writeAtomic(join(dir, 'theory.md'), theoryMarkdown(result));
  await writeAtomic(join(dir, 'theory.svg'), await renderSvg(theorySpec(result)));
  await writeAtomic(join(dir, 'theory-survival.svg'), await renderSvg(survivalSpec(result)));
}

function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${flag}: '${text}' is not a number`);
  return value;
}

function numberList(text: string, flag: string): number[] {
  return text.split(',').map((part) => number(part, flag));
}
