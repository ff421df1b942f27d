/**
 * What a scheduled scan costs the live loop, on the service's real defaults (MNIST, small
 * CNN, 1,000 pool images and 3 epochs a cycle): for each scan budget (clean images x
 * epochs at most), start the service, scan the clean F0, inject the demo's BadNets campaign
 * (3x3, ratio 0.2, two updates: services/demo-scenario.ts), run the two poisoned updates
 * and scan the result, then run one benign update. Reports the
 * scan and cycle wall times and each scan's verdict, so a default can be chosen that both
 * catches the fresh backdoor and leaves the cycle interval room (docs/service.md).
 *
 *   node --import tsx bench/live-scan.ts [subset:epochs ...]   (default 200:10 200:5 100:10)
 *
 * Writes bench/results/live-scan-<date>.json. About 2-4 minutes per budget on 2 cores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../services/config.ts';
import { createLogger } from '../services/log.ts';
import type { CycleReport } from '../services/loop/live-loop.ts';
import { startService } from '../services/service.ts';
import { writeAtomic } from '../sim/experiment/run-folder.ts';

const budgets = (process.argv.length > 2 ? process.argv.slice(2) : ['200:10', '200:5', '100:10']).map((b) => {
  const [subset, epochs] = b.split(':').map(Number);
  if (!(subset > 0 && epochs > 0)) throw new Error(`budget '${b}' is not <subset>:<epochs>`);
  return { subset, epochs };
});

const rows = [];
for (const { subset, epochs } of budgets) {
  const dataDir = await mkdtemp(join(tmpdir(), 'permanence-live-scan-'));
  const config = loadConfig({
    ...process.env,
    SCAN_EVERY: '0',
    SCAN_SUBSET: String(subset),
    SCAN_MAX_EPOCHS: String(epochs),
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
  });
  const service = await startService(config, { log: createLogger(config.LOG_LEVEL), cron: false });
  try {
    await service.ready;
    const load = [loadavg()[0]];
    const clean = await service.loop.scanNow();
    await service.loop.createCampaign({
      trigger: { kind: 'badnets', size: 3 },
      ratio: 0.2,
      target: 0,
      mode: 'persistent',
      cycles: 2,
    });
    await service.loop.runCycle('admin');
    const poisonedCycle = (await service.loop.runCycle('admin')) as CycleReport;
    const poisoned = await service.loop.scanNow();
    const benignCycle = (await service.loop.runCycle('admin')) as CycleReport;
    load.push(loadavg()[0]);
    const row = {
      subset,
      epochs,
      cleanScan: { seconds: clean.seconds, anomalyIndex: clean.anomalyIndex, flagged: clean.flagged },
      poisonedScan: {
        seconds: poisoned.seconds,
        anomalyIndex: poisoned.anomalyIndex,
        flagged: poisoned.flagged,
        flaggedLabels: poisoned.flaggedLabels,
        asr: Object.values(poisonedCycle.evaluation?.asr ?? {})[0],
      },
      cycleSeconds: [poisonedCycle.seconds, benignCycle.seconds],
      loadAverage: load,
    };
    console.log(JSON.stringify(row));
    rows.push(row);
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
const date = new Date().toISOString().replace(/[:.]/g, '-');
const path = join('bench', 'results', `live-scan-${date}.json`);
await writeAtomic(path, JSON.stringify({ date, cpus: availableParallelism(), rows }, null, 2));
console.log(`wrote ${path}`);
