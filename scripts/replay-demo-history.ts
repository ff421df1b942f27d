/**
 * Records the live history of docs/replay.md's demo: the default live model (npm start's
 * configuration), two clean SGD cycles, a BadNets campaign poisoning the next two updates,
 * then SGD cycles up to version 13. Usage: node --import tsx scripts/replay-demo-history.ts <data dir>
 */
import { loadConfig } from '../services/config.ts';
import { createLogger } from '../services/log.ts';
import { startService } from '../services/service.ts';
import { recordLiveHistory } from '../test/helpers/live-history.ts';

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
  // v2, v3 clean; the campaign poisons v4 and v5; then clean SGD up to v13.
  const { campaign } = await recordLiveHistory(
    service,
    { cycles: 12, campaign: { before: 2, mode: 'persistent', cycles: 2 } },
    (c) =>
      console.log(
        `v${c.version} step ${c.step} ${c.schedule} acc ${c.cleanAccuracy?.toFixed(3)} asr ${c.asr?.toFixed(3) ?? '-'} (${c.seconds.toFixed(1)} s)`,
      ),
  );
  console.log(`campaign ${campaign}`);
} finally {
  await service.close();
}
