/**
 * Runs the real service (`npm start`'s command) as a child process in its own process group,
 * and headless Debian Chromium through playwright-core, for the dashboard's browser test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { listeningUrl } from '../../services/listening-line.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN_TOKEN = 'dashboard-test-token-0123456789';
export const CHROMIUM = '/usr/bin/chromium';

/** Small data and a 2 s cron so that cycles finish and arrive while the page is open. */
const FAST_ENV = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  CYCLE_INTERVAL_SECONDS: '2',
  F0_EPOCHS: '1',
  POOL_SUBSET: '200',
  UPDATE_EPOCHS: '1',
  EVAL_SUBSET: '200',
  SCAN_SUBSET: '20',
  SCAN_MAX_EPOCHS: '2',
  // The test triggers its scan from the controls; a scheduled one could make that a 409.
  SCAN_EVERY: '0',
};

export interface ChildService {
  url: string;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx services/main.ts` on a port the OS picks (read back from the line
 * it prints once it listens, so no port is held free for others to take meanwhile) and waits
 * until /readyz answers 200.
 */
export async function startServiceProcess(readyWithinMs = 180_000): Promise<ChildService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'permanence-dash-data-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'services/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...FAST_ENV, PORT: '0', DATA_DIR: dataDir, ADMIN_TOKEN },
    // Its own process group, so stop() also ends the training worker thread's process tree.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await exited;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyWithinMs;
  let url: string | undefined;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the service exited with ${child.exitCode} before it was ready:\n${log}`);
    }
    url ??= listeningUrl(log);
    try {
      if (url && (await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // Not answering yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the service was not ready within ${readyWithinMs / 1000} s:\n${log}`);
    }
    await sleep(500);
  }
  return { url: url ?? '', output: () => log, stop };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile that nothing else shares. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/install-system-deps.sh (Debian package chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'permanence-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GET or other call to the service's API with the admin token, JSON in and out. */
export async function apiCall<T>(url: string, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
