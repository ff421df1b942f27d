/**
 * /predict latency on loopback at a fixed request rate while update cycles train
 * (docs/service.md). Spawns the service as its own process (so the load generator does
 * not share its event loop), keeps a cycle training for the whole window through the admin
 * API, and drives POST /predict with autocannon at RATE req/s. Prints percentiles as JSON.
 *
 *   node --import tsx bench/predict-latency.ts [--rate 200] [--seconds 60] [--idle]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { spawnService } from '../test/helpers/service-process.ts';

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
}
interface AutocannonResult {
  latency: Histogram;
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    connections: { type: 'string', default: '10' },
    idle: { type: 'boolean', default: false },
    port: { type: 'string', default: '18999' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const port = Number(values.port);
const token = 'bench-admin-token-0123456789';
const base = `http://127.0.0.1:${port}`;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function phase(): Promise<{ ready: boolean; phase: string; step: number } | undefined> {
  try {
    return (await (await fetch(`${base}/api/state`)).json()) as {
      ready: boolean;
      phase: string;
      step: number;
    };
  } catch {
    return undefined;
  }
}

/** CPU seconds of one thread (Linux /proc; the main thread's tid is the pid), or NaN elsewhere. */
function threadCpuSeconds(pid: number, tid = pid): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function main(): Promise<void> {
  // Until /api/state says ready (F0 trained), however long that takes on a busy machine.
  const service = await spawnService(
    { ADMIN_TOKEN: token, CYCLES_ENABLED: 'false', LOG_LEVEL: 'warn' },
    {
      port,
      output: 'stderr',
      ownGroup: false,
      isReady: async () => (await phase())?.ready === true,
      readyWithinMs: Infinity,
    },
  );
  const child = service.child();
  try {
    // Keep a cycle running for the whole window (unless --idle): start one whenever idle.
    let sampling = true;
    let samples = 0;
    let training = 0;
    let cycles = 0;
    const keepTraining = (async () => {
      while (sampling) {
        const s = await phase();
        if (s) {
          samples++;
          if (s.phase === 'training') training++;
          if (!values.idle && s.phase === 'idle') {
            const res = await fetch(`${base}/admin/cycle`, {
              method: 'POST',
              headers: { authorization: headers.authorization },
            });
            if (res.status === 202) cycles++;
          }
        }
        await sleep(100);
      }
    })();
    if (!values.idle) while ((await phase())?.phase !== 'training') await sleep(50);
    const cpuBefore = threadCpuSeconds(child.pid!);
    const result = await autocannon({
      url: `${base}/predict`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255) }),
      connections: Number(values.connections),
      overallRate: rate,
      duration: seconds,
    });
    const eventLoopCpu = threadCpuSeconds(child.pid!) - cpuBefore;
    sampling = false;
    await keepTraining;
    const l = result.latency;
    console.log(
      JSON.stringify(
        {
          rate,
          seconds,
          whileTraining: !values.idle,
          trainingShareOfWindow: samples ? Number((training / samples).toFixed(3)) : 0,
          cyclesStarted: cycles,
          requests: result.requests.total,
          meanRps: result.requests.average,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          // CPU of the event-loop thread per answered request (it also runs the API polls here).
          eventLoopCpuMsPerRequest: Number(
            ((eventLoopCpu * 1000) / Math.max(1, result.requests.total)).toFixed(3),
          ),
          loadAverage1m: Number(loadavg()[0].toFixed(2)),
          latencyMs: { mean: l.average, p50: l.p50, p90: l.p90, p99: l.p99, p99_9: l.p99_9, max: l.max },
        },
        null,
        2,
      ),
    );
  } finally {
    await service.stop();
  }
}

void main();
