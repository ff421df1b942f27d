/**
 * Runs the real service (`npm start`'s command, `node --import tsx services/main.ts`) as a
 * child process, for the tests and benches that need it out of their own process: the
 * dashboard's browser test, the kill -9 crash test, the /predict latency bench and the soak.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listeningUrl } from '../../services/listening-line.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServiceProcessOptions {
  /**
   * Default 0: the OS picks a free port at each start and the URL is read back from the line
   * the service prints once it listens, so no port is held free (for another test to take)
   * between a kill and the next start. A fixed port (a bench's --port) stays across restarts.
   */
  port?: number;
  /** Default: a fresh temporary folder, removed by stop(). It stays the same across restarts. */
  dataDir?: string;
  /** capture: kept for output() (failure messages); stderr: stdout dropped, stderr shown. */
  output?: 'capture' | 'stderr';
  /**
   * true: its own process group, so stop() and kill() also end anything it started; false:
   * in ours, so a Ctrl-C of the caller ends it too (what a bench run by hand wants).
   */
  ownGroup?: boolean;
  /** Default: /readyz answers 200 (a model is served). */
  isReady?: (url: string) => Promise<boolean>;
  /** How long start-up may take before it is an error; Infinity waits for ever. */
  readyWithinMs?: number;
}

export interface ServiceProcess {
  /** Where the current run listens (with port 0, a new port after each restart). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The running child (a new one after each restart). */
  child(): ChildProcess;
  /** What it printed so far (with output 'capture'), bounded to the last 20 kB. */
  output(): string;
  /** False once the current run exited (polls use it to fail at once, not at a deadline). */
  running(): boolean;
  /** kill -9 (the group with ownGroup); resolves once it exited. */
  kill(): Promise<void>;
  /**
   * Starts it again (after a kill -9 if it still runs) on the same port and data folder,
   * with `env` changed over the first start's; resolves when ready.
   */
  restart(env?: Record<string, string>): Promise<void>;
  /**
   * SIGTERM, SIGKILL after 10 s; resolves with its exit code (null: ended by a signal) once
   * it exited and its temporary folder is gone.
   */
  stop(): Promise<number | null>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readyzAnswers200(url: string): Promise<boolean> {
  return (await fetch(`${url}/readyz`)).status === 200;
}

/** Starts the service with `env` over this process's environment and waits until it is ready. */
export async function spawnService(
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const fixedPort = options.port ?? 0;
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'permanence-service-'));
  const ownGroup = options.ownGroup ?? true;
  const isReady = options.isReady ?? readyzAnswers200;
  const readyWithinMs = options.readyWithinMs ?? 180_000;
  let url = '';
  let log = '';
  let child: ChildProcess;
  let exited: Promise<void>;

  const launch = (changed: Record<string, string> = {}) => {
    url = fixedPort === 0 ? '' : `http://127.0.0.1:${fixedPort}`;
    log = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'services/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...env,
        ...changed,
        HOST: '127.0.0.1',
        PORT: String(fixedPort),
        DATA_DIR: dataDir,
      },
      detached: ownGroup,
      // stdout is always read: the listening line is on it.
      stdio: ['ignore', 'pipe', options.output === 'stderr' ? 'inherit' : 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
      if (!url) url = listeningUrl(log) ?? '';
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (ownGroup && child.pid) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  const kill = async () => {
    if (running()) signal('SIGKILL');
    await exited;
  };
  const stop = async () => {
    if (running()) {
      signal('SIGTERM');
      // Cleared once it exits, so that the grace period never holds the caller's exit back.
      let grace: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        exited.then(() => true),
        new Promise<false>((resolve) => (grace = setTimeout(() => resolve(false), 10_000))),
      ]);
      clearTimeout(grace);
      if (!ended) await kill();
    }
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    return child.exitCode;
  };
  const waitReady = async () => {
    const deadline = Date.now() + readyWithinMs;
    for (;;) {
      if (!running()) {
        await stop();
        throw new Error(
          `the service exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${log}`,
        );
      }
      try {
        if (url && (await isReady(url))) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the service was not ready within ${readyWithinMs / 1000} s:\n${log}`);
      }
      await sleep(100);
    }
  };

  launch();
  await waitReady();
  return {
    get url() {
      return url;
    },
    get port() {
      return Number(new URL(url).port);
    },
    dataDir,
    child: () => child,
    output: () => log,
    running,
    kill,
    restart: async (changed) => {
      await kill();
      launch(changed);
      await waitReady();
    },
    stop,
  };
}
