/**
 * Runs the real service (`npm start`'s command) as a child process in its own process group
 * (test/helpers/service-process.ts), and headless Debian Chromium through playwright-core,
 * for the dashboard's browser test.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { spawnService, type ServiceProcess } from '../helpers/service-process.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN_TOKEN = 'dashboard-test-token-0123456789';
export const CHROMIUM = '/usr/bin/chromium';

/** Small data and a 2 s cron so that cycles finish and arrive while the page is open. */
const FAST_ENV = {
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

/** Starts `node --import tsx services/main.ts` and waits until /readyz answers 200. */
export async function startServiceProcess(readyWithinMs = 180_000): Promise<ServiceProcess> {
  return spawnService({ ...FAST_ENV, ADMIN_TOKEN }, { readyWithinMs });
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
