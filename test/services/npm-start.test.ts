/**
 * `npm start` forwards SIGTERM and SIGINT to the server: the script execs node (no shell in
 * between that would swallow the signal), so stopping the npm process stops the service.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, REPO_ROOT } from '../infra/tools.ts';
import { FAST_ENV } from './helpers/service.ts';

/** How long a stopped service may take to close (the contract docs/service.md states). */
const STOP_DEADLINE_MS = 5000;

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

async function until(what: string, probe: () => Promise<boolean>, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} within ${deadlineMs} ms`);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the npm start process stops the server`, { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'permanence-npm-start-'));
    const port = await freePort();
    // Its own process group, so the clean-up below reaches the server whatever happens.
    const npm = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...FAST_ENV, PORT: String(port), DATA_DIR: dataDir },
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise<void>((done) => npm.once('exit', () => done()));
    let npmGone = false;
    void exited.then(() => (npmGone = true));
    try {
      const healthz = `http://127.0.0.1:${port}/healthz`;
      await until('the service answering /healthz', () => answers(healthz), 120_000);
      npm.kill(signal); // the npm process only, not its group
      await until(
        'the server gone and npm exited',
        async () => npmGone && !(await answers(healthz)),
        STOP_DEADLINE_MS,
      );
    } finally {
      try {
        process.kill(-(npm.pid as number), 'SIGKILL');
      } catch {
        // Already gone: the point of the test.
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
