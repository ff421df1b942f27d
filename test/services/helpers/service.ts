/** Starts the real service in-process on a free port with a small, fast configuration. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../services/config.ts';
import { createLogger } from '../../../services/log.ts';
import type { ModelStore } from '../../../services/registry/model-store.ts';
import { startService, type RunningService } from '../../../services/service.ts';

export const TEST_TOKEN = 'test-admin-token-0123456789';

/** Small enough that F0 trains in a few seconds and a cycle in about one. */
export const FAST_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  ADMIN_TOKEN: TEST_TOKEN,
  LOG_LEVEL: 'silent',
  F0_EPOCHS: '1',
  POOL_SUBSET: '256',
  UPDATE_EPOCHS: '1',
  EVAL_SUBSET: '300',
  CYCLE_INTERVAL_SECONDS: '30',
  // Scans run only where a test asks for them (scan-policy.test.ts).
  SCAN_EVERY: '0',
};

export interface TestService extends RunningService {
  dataDir: string;
  /** Closes the service and removes its data folder. */
  dispose(): Promise<void>;
}

export async function startTestService(
  env: Record<string, string> = {},
  options: { store?: ModelStore; dataDir?: string; cron?: boolean } = {},
): Promise<TestService> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'permanence-svc-')));
  const config = loadConfig({ ...FAST_ENV, DATA_DIR: dataDir, ...env });
  const service = await startService(config, {
    log: createLogger(config.LOG_LEVEL),
    cron: options.cron ?? false,
    store: options.store,
  });
  return {
    ...service,
    dataDir,
    dispose: async () => {
      await service.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function adminHeaders(token = TEST_TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

/** Reads one sample of a metric from a /metrics text (labels as a `k="v",...` substring). */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const m = /^(\{[^}]*\})? (\S+)$/.exec(rest);
    if (!m) continue;
    if (labels && !(m[1] ?? '').includes(labels)) continue;
    if (!labels && m[1]) continue;
    return Number(m[2]);
  }
  return undefined;
}

/** Polls until `fn` returns a value (not undefined) or the attempts run out. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  attempts = 600,
  everyMs = 200,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}
