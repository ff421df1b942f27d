import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BenchConfig, BenchNet, Throughput } from './nets.ts';

const run = promisify(execFile);

/** Debian's interpreter, where apt's python3-torch lives (a pyenv python would not see it). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pytorch_bench.py', import.meta.url));

export type PytorchResult =
  | { available: true; version: string; threads: number; results: Throughput[] }
  | { available: false; reason: string };

/** Whether `import torch` works in the system python, and why not when it does not. */
export async function torchAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await run(SYSTEM_PYTHON, ['-c', 'import torch']);
    return { ok: true };
  } catch (error) {
    const detail =
      error instanceof Error ? error.message.split('\n').slice(-2).join(' ').trim() : String(error);
    return {
      ok: false,
      reason: `PyTorch not importable by ${SYSTEM_PYTHON} (apt-get install python3-torch): ${detail}`,
    };
  }
}

export async function measurePytorch(nets: readonly BenchNet[], config: BenchConfig): Promise<PytorchResult> {
  const availability = await torchAvailability();
  if (!availability.ok) return { available: false, reason: availability.reason };
  const { stdout } = await run(SYSTEM_PYTHON, [SCRIPT, JSON.stringify({ ...config, nets })], {
    maxBuffer: 1 << 20,
  });
  const parsed = JSON.parse(stdout) as { torch: string; threads: number; results: Throughput[] };
  return { available: true, version: parsed.torch, threads: parsed.threads, results: parsed.results };
}
