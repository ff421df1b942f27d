import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SYSTEM_PYTHON } from '../../sim/crosscheck/twin.ts';

export { SYSTEM_PYTHON };

/**
 * Runs a Python script of crosscheck/ with one JSON request on stdin and returns its JSON
 * answer. Throws (so the test fails, not skips) when torch is missing.
 */
export function runPython<T>(script: string, request: unknown): T {
  if (!existsSync(SYSTEM_PYTHON)) throw new Error(`${SYSTEM_PYTHON} not found: run the pretest (npm test)`);
  const result = spawnSync(SYSTEM_PYTHON, [script], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (result.status !== 0) {
    const hint = /No module named/.test(result.stderr)
      ? ' (apt-get install python3-torch python3-torchvision, as the pretest does)'
      : '';
    throw new Error(`${script} failed${hint}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(result.stdout) as T;
}
