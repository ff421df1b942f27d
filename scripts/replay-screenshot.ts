/**
 * The dashboard with a counterfactual overlay, for docs/replay.md: serves a recorded history
 * (a copy of <data dir>, cycles paused), asks the page's "What if?" control for a replay from
 * <version> and photographs the page once the dashed curves are drawn.
 *
 *   node --import tsx scripts/replay-screenshot.ts <data dir> <version> [stlr|periodic|scan-stlr] [out.png]
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../services/config.ts';
import { createLogger } from '../services/log.ts';
import { startService } from '../services/service.ts';
import { launchChromium } from '../test/dashboard/helpers.ts';

const [source, version, policy = 'stlr', out = 'docs/img/replay-overlay.png'] = process.argv.slice(2);
if (!source || !version)
  throw new Error('usage: replay-screenshot.ts <data dir> <version> [policy] [out.png]');
const dataDir = await mkdtemp(join(tmpdir(), 'permanence-replay-shot-'));
await cp(source, dataDir, { recursive: true });
const config = loadConfig({
  ...process.env,
  CYCLES_ENABLED: 'false',
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
});
const service = await startService(config, { log: createLogger(config.LOG_LEVEL) });
const browser = await launchChromium();
try {
  await service.ready;
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(`${service.url}/`);
  await page.fill('#token-input', service.adminToken);
  await page.click('#token-form button[type=submit]');
  await page.waitForSelector('#token-set:not([hidden])');
  await page.waitForSelector(`#replay-version option[value="${version}"]`, { state: 'attached' });
  await page.selectOption('#replay-version', version);
  await page.selectOption('#replay-policy', policy);
  await page.click('#replay-submit');
  await page.waitForSelector('#replay-status:has-text("succeeded")', { timeout: 600_000 });
  await page.waitForTimeout(1000);
  console.log(await page.textContent('#replay-status'));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: resolve(out) });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await service.close();
  await rm(dataDir, { recursive: true, force: true });
}
