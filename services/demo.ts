/**
 * `npm run demo`: the issue-5 scenario end to end. Starts the service in-process on embedded
 * defaults with a fast cycle (or drives DEMO_URL with ADMIN_TOKEN), runs the scenario and
 * prints what /metrics showed. Exits 1 if a claim does not hold.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { createAdminClient } from './client/admin-client.ts';
import { createLogger } from './log.ts';
import { runScenario } from './demo-scenario.ts';
import { startService } from './service.ts';

async function main(): Promise<void> {
  const external = process.env.DEMO_URL;
  let url = external ?? '';
  let token = process.env.ADMIN_TOKEN ?? '';
  let close = async () => undefined as void;
  if (!external) {
    const dataDir = process.env.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'permanence-demo-')));
    const config = loadConfig({
      CYCLE_INTERVAL_SECONDS: '2',
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      ...process.env,
      DATA_DIR: dataDir,
    });
    const service = await startService(config, { log: createLogger(config.LOG_LEVEL) });
    url = service.url;
    token = service.adminToken;
    close = async () => {
      await service.close();
      if (!process.env.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    };
    console.log(`demo service on ${url} (dashboard ${url}/), training F0 first...`);
  }
  try {
    const client = createAdminClient({ url, adminToken: token });
    const result = await runScenario({ url, adminToken: token, client, log: (line) => console.log(line) });
    const { campaigns } = await client.state();
    console.log(`campaigns: ${campaigns.map((c) => `${c.id} ${c.status}`).join(', ')}`);
    console.log('');
    console.log(
      `ASR one cycle after injection: ${result.asrAfterInjection.toFixed(3)} (>= 0.9: ${result.checks.injected})`,
    );
    console.log(
      `ASR under SGD: ${result.sgdAsr.map((a) => a.toFixed(3)).join(', ')} (all > 0.5: ${result.checks.survivesSgd})`,
    );
    console.log(
      `ASR under STLR: ${result.stlrAsr.map((a) => a.toFixed(3)).join(', ')} (< 0.5 within 2: ${result.checks.stlrRemoves})`,
    );
    process.exitCode = Object.values(result.checks).every(Boolean) ? 0 : 1;
  } finally {
    await close();
  }
}

void main();
