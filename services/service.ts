/**
 * Wires the live service together: registry, training worker, loop, cron, metrics, HTTP
 * and socket.io on one server. `startService` returns once the server listens; the model
 * is loaded (or F0 trained) in the background and /readyz turns 200 when it is served.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { Server as IoServer } from 'socket.io';
import { loadBackend, type BackendInfo } from '../sim/backend/loader.ts';
import { setNativeThreadsOfThisThread } from '../sim/backend/native/index.ts';
import type { ServiceConfig } from './config.ts';
import { EventBus } from './events.ts';
import { createApp } from './http/app.ts';
import { createLogger, type Logger } from './log.ts';
import { logEvents } from './log-listener.ts';
import { AlertLog } from './loop/alerts.ts';
import { Campaigns } from './loop/campaigns.ts';
import { LiveLoop } from './loop/live-loop.ts';
import { MitigationPolicy } from './loop/policy.ts';
import { CycleScheduler } from './loop/scheduler.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics/index.ts';
import { listenForMetrics } from './metrics/loop-listener.ts';
import type { InputShape } from './predict/image-input.ts';
import { Predictor } from './predict/predictor.ts';
import { createModelStore } from './registry/create-store.ts';
import { historySource } from './registry/history-source.ts';
import { ReplayJobs } from './replay/replay-jobs.ts';
import { replayInThread } from '../sim/replay/replay-thread.ts';
import type { ModelStore } from './registry/model-store.ts';
import { relayToSockets } from './socket-listener.ts';
import { TrainerClient, workerSetup } from './worker/trainer-client.ts';

export const SERVICE_VERSION = '0.1.0';
/** Nice value of replay threads: below the training worker's 10. */
export const REPLAY_NICE = 15;
export const STATIC_DIR = fileURLToPath(new URL('../dashboards/public', import.meta.url));

export interface RunningService {
  url: string;
  port: number;
  adminToken: string;
  /** True when ADMIN_TOKEN was unset and a token was generated. */
  tokenGenerated: boolean;
  loop: LiveLoop;
  replay: ReplayJobs;
  events: EventBus;
  metrics: ServiceMetrics;
  registry: Registry;
  store: ModelStore;
  /** Resolves once a model is served (or rejects if start-up is abandoned). */
  ready: Promise<void>;
  /** The training backend, once loaded (which path: sim/backend/speed-path.ts). */
  backend: Promise<BackendInfo>;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Starts the cron ticks once ready (default true; tests drive cycles by hand). */
  cron?: boolean;
  store?: ModelStore;
}

export async function startService(
  config: ServiceConfig,
  options: StartOptions = {},
): Promise<RunningService> {
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const tokenGenerated = !config.ADMIN_TOKEN;
  const adminToken = config.ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  const hookToken = config.ALERT_WEBHOOK_TOKEN ?? adminToken;

  const registry = new Registry();
  const metrics = createServiceMetrics(registry, {
    version: SERVICE_VERSION,
    backend: 'starting',
    modelArch: config.MODEL_ARCH,
    cycleIntervalSeconds: config.cycleIntervalSeconds,
    processMetrics: true,
  });
  const events = new EventBus();
  const store = options.store ?? createModelStore(config);
  const predictor = new Predictor();
  const trainer = new TrainerClient(workerSetup(config), log);
  const campaigns = new Campaigns(config.MAX_CAMPAIGNS);
  const policy = new MitigationPolicy({
    enabled: config.POLICY === 'scan-stlr',
    forcedUpdates: config.POLICY_STLR_UPDATES,
    forcedSchedule: config.POLICY_STLR_SCHEDULE,
  });
  const alerts = new AlertLog();
  listenForMetrics(events, metrics);
  logEvents(events, log);
  // Retention keeps what a replay job reads or its kept result names (`replay` is built below,
  // before any cycle can run).
  const replayRefs = () => replay.referencedVersions();
  const loop = new LiveLoop({
    config,
    store,
    trainer,
    predictor,
    events,
    log,
    campaigns,
    policy,
    retentionRefs: [replayRefs],
  });
  // Replays run in their own thread below the training worker's priority (nice 10), so a
  // cycle and /predict come first.
  const replay = new ReplayJobs({
    name: config.MODEL_NAME,
    source: historySource(store),
    events,
    run: (history, replayPolicy, o) => replayInThread(history, replayPolicy, { ...o, nice: REPLAY_NICE }),
  });
  let inputShape: InputShape | undefined;
  let backendInfo: BackendInfo | undefined;
  const backend = loadBackend({ log: (msg) => log.debug(msg) }).then((info) => (backendInfo = info));

  const app = createApp({
    log,
    events,
    adminToken,
    hookToken,
    staticDir: STATIC_DIR,
    loop,
    store,
    predictor,
    metrics,
    registry,
    alerts,
    replay,
    inputShape: () => inputShape,
    backend: () => backendInfo,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  });
  const server: HttpServer = createServer(app);
  const io = new IoServer(server, { serveClient: true });
  relayToSockets(events, io, () => loop.state());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;

  const scheduler = new CycleScheduler(config.cycleCron, () => loop.runCycle('cron'), log);
  const ready = (async () => {
    const info = await backend;
    // This thread answers /predict one image at a time: waking a second OpenMP thread costs
    // more than the convolution (measured 1.2 ms vs 0.3 ms a prediction). Training keeps
    // every core in the worker thread.
    setNativeThreadsOfThisThread(1);
    // The worker's start-up is retried inside bootstrap, with the registry's: awaited here
    // first, one failed start (a worker that exited while loading) left the service never
    // ready and the cron never started, with nothing running.
    await loop.bootstrap();
    if (!loop.isReady()) return; // stopped during start-up
    const setup = await trainer.start(); // the start bootstrap waited for
    inputShape = { height: setup.height, width: setup.width, channels: setup.channels };
    metrics.build.set({
      version: SERVICE_VERSION,
      backend: `${info.name}/${setup.backend}`,
      modelArch: config.MODEL_ARCH,
    });
    if (options.cron !== false) scheduler.start();
  })();
  ready.catch((err: Error) => log.error({ err }, 'start-up failed'));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await scheduler.stop();
      await replay.stop();
      await loop.stop();
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        server.closeAllConnections();
      });
      predictor.dispose();
    })());

  return {
    url: `http://${host}:${port}`,
    port,
    adminToken,
    tokenGenerated,
    loop,
    replay,
    events,
    metrics,
    registry,
    store,
    ready,
    backend,
    close,
  };
}
