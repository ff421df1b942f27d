/**
 * Screenshots of the built-in dashboard for the README, on the service's real defaults
 * (MNIST, small CNN, 1,000 pool images a cycle), not the tests' tiny data: runs the
 * `npm run demo` scenario (BadNets injected, SGD updates, then STLR), scans on a cadence,
 * then photographs the page in headless Chromium.
 *
 *   node --import tsx scripts/dashboard-screenshot.ts [out-dir]   (default docs/img)
 *
 * Takes 3-5 minutes on 2 cores. Needs Debian's chromium (scripts/install-system-deps.sh).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../services/config.ts';
import { runScenario } from '../services/demo-scenario.ts';
import { createLogger } from '../services/log.ts';
import { startService } from '../services/service.ts';
import { launchChromium } from '../test/dashboard/helpers.ts';

const outDir = resolve(process.argv[2] ?? 'docs/img');
const dataDir = await mkdtemp(join(tmpdir(), 'permanence-shot-'));
const config = loadConfig({
  ...process.env,
  CYCLE_INTERVAL_SECONDS: '3',
  SCAN_EVERY: '3',
  LOG_LEVEL: 'warn',
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
});
const service = await startService(config, { log: createLogger(config.LOG_LEVEL) });
console.log(`service on ${service.url}; training F0, then the demo scenario`);
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  // Open the page before the scenario, so the charts fill live as they would for a user.
  await page.goto(`${service.url}/`);
  const result = await runScenario({
    url: service.url,
    adminToken: service.adminToken,
    sgdUpdates: 4,
    stlrUpdates: 3,
    log: (line) => console.log(line),
  });
  console.log(`scenario checks: ${JSON.stringify(result.checks)}`);
  await page.waitForTimeout(2000);
  await mkdir(outDir, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(outDir, 'dashboard.png') });
  await page.screenshot({ path: join(outDir, 'dashboard-full.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(outDir, 'dashboard-phone.png') });
  console.log(`wrote dashboard.png, dashboard-full.png, dashboard-phone.png to ${outDir}`);
} finally {
  await browser.close();
  await service.close();
  await rm(dataDir, { recursive: true, force: true });
}
