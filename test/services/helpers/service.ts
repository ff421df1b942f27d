/** Starts the real service in-process on a free port with a small, fast configuration. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DestinationStream } from 'pino';
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

/** A service that does not listen by then has hung: it listens before it loads or trains anything. */
export const LISTEN_DEADLINE_MS = 60_000;
/**
 * Generous: F0 trains first. With FAST_ENV the service served its model 3.8 to 12.7 s after
 * the start on the 2-core VM under a load average of 11-12 (1 Dec 2026).
 */
export const READY_DEADLINE_MS = 180_000;

/** The last lines a logger wrote, kept in memory for failure messages (pino destination). */
export class LogTail implements DestinationStream {
  private readonly kept: string[] = [];

  constructor(private readonly max = 100) {}

  write(line: string): void {
    this.kept.push(line.trimEnd());
    if (this.kept.length > this.max) this.kept.shift();
  }

  lines(): readonly string[] {
    return this.kept;
  }

  /** A block to append to an error message. */
  text(): string {
    return this.kept.length === 0
      ? '(the service logged nothing)'
      : `last ${this.kept.length} log lines of the service:\n${this.kept.join('\n')}`;
  }
}

/** Resolves or rejects with `promise`, or rejects with `message()` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  const timer = new AbortController();
  const expired = sleep(ms, undefined, { signal: timer.signal }).then(() => {
    throw new Error(message());
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    timer.abort();
    expired.catch(() => undefined);
  }
}

export interface TestService extends RunningService {
  dataDir: string;
  /** What the service logged last (at info and above when LOG_LEVEL is silent). */
  logs: LogTail;
  /**
   * Waits until a model is served; fails at once when start-up is abandoned and after
   * `timeoutMs` otherwise, with the service's last log lines either way.
   */
  whenReady(timeoutMs?: number): Promise<void>;
  /** Closes the service and removes its data folder. */
  dispose(): Promise<void>;
}

/** One request to /healthz: proves the socket startService reported listens and answers. */
async function answersHealthz(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? undefined : `GET ${url}/healthz answered ${res.status}`;
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    return `GET ${url}/healthz failed: ${cause?.message ?? (err as Error).message}`;
  }
}

export async function startTestService(
  env: Record<string, string> = {},
  options: { store?: ModelStore; dataDir?: string; cron?: boolean } = {},
): Promise<TestService> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'permanence-svc-')));
  const config = loadConfig({ ...FAST_ENV, DATA_DIR: dataDir, ...env });
  // Kept in memory rather than printed: tests stay quiet, failures show what happened.
  const logs = new LogTail();
  const level = config.LOG_LEVEL === 'silent' ? 'info' : config.LOG_LEVEL;
  const service = await within(
    startService(config, {
      log: createLogger(level, logs),
      cron: options.cron ?? false,
      store: options.store,
    }),
    LISTEN_DEADLINE_MS,
    () => `the service did not listen within ${LISTEN_DEADLINE_MS / 1000} s\n${logs.text()}`,
  );
  const unreachable = await answersHealthz(service.url);
  if (unreachable) {
    await service.close();
    throw new Error(
      `the service reported ${service.url} but nothing answers there: ${unreachable}\n${logs.text()}`,
    );
  }
  return {
    ...service,
    dataDir,
    logs,
    whenReady: (timeoutMs = READY_DEADLINE_MS) =>
      within(
        service.ready.catch((err: Error) => {
          throw new Error(`service start-up failed: ${err.message}\n${logs.text()}`);
        }),
        timeoutMs,
        () => `no model was served within ${timeoutMs / 1000} s\n${logs.text()}`,
      ),
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
