/**
 * Records the live history of docs/replay.md's demo: the default live model (npm start's
 * configuration), two clean SGD cycles, a BadNets campaign poisoning the next two updates,
 * then SGD cycles up to version 13. Usage: node --import tsx scripts/replay-demo-history.ts <data dir>
 */
import { loadConfig } from '../services/config.ts';
import { createLogger } from '../services/log.ts';
import { startService } from '../services/service.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: replay-demo-history.ts <data dir>');
const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
});
const service = await startService(config, { log: createLogger(config.LOG_LEVEL), cron: false });
try {
  await service.ready;
  let campaign = '';
  for (let version = 2; version <= 13; version++) {
    if (version === 4) {
      const c = await service.loop.createCampaign({
        trigger: { kind: 'badnets' },
        ratio: 0.2,
        target: 0,
        mode: 'persistent',
        cycles: 2,
      });
      campaign = c.id;
    }
    const report = await service.loop.runCycle('admin');
    if (!('outcome' in report) || report.outcome !== 'success') throw new Error(JSON.stringify(report));
    const asr = campaign ? report.evaluation?.asr[campaign] : undefined;
    console.log(
      `v${report.version} step ${report.step} ${report.schedule} acc ${report.evaluation?.cleanAccuracy.toFixed(3)} asr ${asr?.toFixed(3) ?? '-'} (${report.seconds.toFixed(1)} s)`,
    );
  }
  console.log(`campaign ${campaign}`);
} finally {
  await service.close();
}
