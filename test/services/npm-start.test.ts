/**
 * `npm start` forwards SIGTERM and SIGINT to the server: the script execs node (no shell in
 * between that would swallow the signal), so stopping the npm process stops the service.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listeningUrl } from '../../services/listening-line.ts';
import { ManagedProcess } from '../infra/tools.ts';
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

async function until(
  what: string,
  probe: () => Promise<boolean>,
  deadlineMs: number,
  context: () => string,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} within ${deadlineMs} ms\n${context()}`);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the npm start process stops the server`, { timeout: 180_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'permanence-npm-start-'));
    // Its own process group (ManagedProcess), so the clean-up below reaches the server
    // whatever happens; PORT=0 and the URL read from the line it prints once it listens.
    const npm = new ManagedProcess('npm start', 'npm', ['start'], {
      env: { ...process.env, ...FAST_ENV, PORT: '0', DATA_DIR: dataDir },
    });
    const exited = new Promise<void>((done) => npm.child.once('exit', () => done()));
    let npmGone = false;
    void exited.then(() => (npmGone = true));
    try {
      let healthz = '';
      await until(
        'the service answering /healthz',
        async () => {
          const url = listeningUrl(npm.printed());
          if (url) healthz = `${url}/healthz`;
          return healthz !== '' && (await answers(healthz));
        },
        120_000,
        () => npm.tail(),
      );
      npm.child.kill(signal); // the npm process only, not its group
      await until(
        'the server gone and npm exited',
        async () => npmGone && !(await answers(healthz)),
        STOP_DEADLINE_MS,
        () => npm.tail(),
      );
    } finally {
      try {
        process.kill(-(npm.child.pid as number), 'SIGKILL');
      } catch {
        // Already gone: the point of the test.
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
