/**
 * Helpers of the infra tests: where the repository and the system tools are, running a
 * command to completion, and starting long-lived processes that are always stopped.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

/**
 * The path of a system program, or undefined. Debian names Alertmanager
 * `prometheus-alertmanager`, upstream `alertmanager`: pass both.
 */
export function findTool(...names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin']);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell) and returns its exit status and output. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A child started in its own process group, with its output kept for failure messages. */
export class ManagedProcess {
  readonly child: ChildProcess;
  private output = '';

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {
    // detached = its own process group, so stop() also reaches grandchildren (npm, tsx).
    this.child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      // Bounded: only the tail matters when a test fails.
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** What the process printed on stdout and stderr (the last 20,000 characters). */
  printed(): string {
    return this.output;
  }

  /** The last lines the process printed, for assertion messages. */
  tail(lines = 40): string {
    return `--- ${this.name} (last ${lines} lines) ---\n${this.output.split('\n').slice(-lines).join('\n')}`;
  }

  /** SIGTERM to the whole group, SIGKILL after a grace period; resolves once it exited. */
  async stop(graceMs = 5000): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.exited) return;
    const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // A grandchild that ignored SIGTERM may outlive the leader.
    signalGroup('SIGKILL');
  }
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; alive?: readonly ManagedProcess[] },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    for (const p of options.alive ?? []) {
      if (p.exited) throw new Error(`${p.name} exited while waiting for ${what}\n${p.tail()}`);
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
  const tails = (options.alive ?? []).map((p) => p.tail()).join('\n');
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${what}${lastError ? ` (${lastError})` : ''}\n${tails}`,
  );
}
