/**
 * The built-in dashboard in headless Chromium against the real service (child process):
 * it loads without console errors, finished cycles reach the charts over socket.io, and the
 * operator controls reach the API and show its answers, errors included.
 *
 * Screenshots go to DASHBOARD_SCREENSHOT_DIR (docs/img to refresh the documentation) or a
 * temporary folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN_TOKEN, REPO_ROOT, apiCall, launchChromium, startServiceProcess } from './helpers.ts';

/** The slice of Chart.js's global the assertions read (runs inside the page). */
declare const Chart: {
  getChart(id: string):
    | {
        data: {
          labels?: string[];
          datasets: { label: string; campaign?: string; data: { x: number; y: number }[] }[];
        };
        options: { plugins: { eventMarkers?: { markers: { x: number; kind: string }[] } } };
      }
    | undefined;
};

interface Campaign {
  id: string;
  trigger: { kind: string; alpha?: number };
  ratio: number;
  target: number;
  mode: string;
  cycles: number;
}

const WAIT = { timeout: 60_000 };

const screenshotDir = () => {
  const dir = process.env.DASHBOARD_SCREENSHOT_DIR
    ? resolve(REPO_ROOT, process.env.DASHBOARD_SCREENSHOT_DIR)
    : mkdtempSync(join(tmpdir(), 'permanence-dashboard-shots-'));
  mkdirSync(dir, { recursive: true });
  return dir;
};

/** Versions drawn on the clean-accuracy chart. */
/** Versions drawn on the clean-accuracy chart: promoted ones, and diverged (rejected) ones. */
const accuracyVersions = (page: Page) =>
  page.evaluate(() => {
    const [promoted, rejected] = Chart.getChart('chart-accuracy')?.data.datasets ?? [];
    return { promoted: promoted?.data.map((p) => p.x) ?? [], rejected: rejected?.data.map((p) => p.x) ?? [] };
  });
/** Runs in the page: true once every per-version chart carries a marker of this kind. */
const markedOnEveryChart = (kind: string) =>
  ['chart-accuracy', 'chart-asr', 'chart-anomaly'].every((id) =>
    (Chart.getChart(id)?.options.plugins.eventMarkers?.markers ?? []).some((m) => m.kind === kind),
  );
/** Runs in the page: true once the accuracy chart has more than n points. */
const morePointsThan = (n: number) =>
  (Chart.getChart('chart-accuracy')?.data.datasets ?? []).reduce((k, d) => k + d.data.length, 0) > n;
const total = (v: { promoted: number[]; rejected: number[] }) => v.promoted.length + v.rejected.length;

test('the dashboard follows the live loop and drives it', { timeout: 300_000 }, async (t) => {
  const service = await startServiceProcess();
  t.after(() => service.stop());
  const browser = await launchChromium();
  t.after(() => browser.close());

  /** A subtest whose failure message ends with the service's recent log. */
  const step = (name: string, fn: () => void | Promise<void>) =>
    t.test(name, async () => {
      try {
        await fn();
      } catch (err) {
        if (err instanceof Error)
          err.message += `\n--- service log (tail) ---\n${service.output().slice(-3000)}`;
        throw err;
      }
    });

  const page = await browser.context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));

  await step('loads from the service alone, with no console error', async () => {
    await page.goto(`${service.url}/`);
    await page.waitForSelector('#connection[data-state="live"]', WAIT);
    await page.waitForFunction(
      () => (Chart.getChart('chart-accuracy')?.data.datasets[0]?.data.length ?? 0) > 0,
      null,
      WAIT,
    );
    assert.deepEqual(consoleErrors, []);
    const foreign = requests.filter((u) => !u.startsWith(service.url) && !u.startsWith('data:'));
    assert.deepEqual(foreign, [], 'every asset comes from the service (no CDN)');
    assert.ok(requests.some((u) => u.endsWith('/vendor/chart.umd.js')));
    assert.ok(requests.some((u) => u.includes('/socket.io/')));
  });

  await step('a cycle finished by the cron appears on the chart without a reload', async () => {
    const before = await accuracyVersions(page);
    await page.waitForFunction(morePointsThan, total(before), WAIT);
    const drawn = await accuracyVersions(page);
    const registry = await apiCall<{ versions: { version: number; status: string }[] }>(
      service.url,
      '/api/models',
    );
    const status = new Map(registry.versions.map((v) => [v.version, v.status]));
    assert.ok(
      // The stored manifests stay `candidate`; the registry's view says they were served.
      drawn.promoted.every((v) => status.get(v) === 'promoted'),
      `versions ${drawn.promoted} are drawn as promoted`,
    );
    assert.ok(
      drawn.rejected.every((v) => status.get(v) === 'rejected'),
      `versions ${drawn.rejected} are drawn as rejected`,
    );
    assert.match(
      (await page.textContent('#summary-accuracy')) ?? '',
      /^Latest v\d+ \(drift step \d+\): \d+\.\d%/,
    );
    // The activity log received the cycle's events too.
    await page.waitForSelector('#activity li:has-text("trained on drift step")', WAIT);
  });

  await step('a wrong admin token is refused and the refusal is shown', async () => {
    assert.equal(await page.isDisabled('#run-cycle'), true, 'controls are locked without a token');
    await page.fill('#token-input', 'not-the-token-0123456789');
    await page.click('#token-form button[type=submit]');
    const message = page.locator('#token-message.error');
    await message.waitFor(WAIT);
    assert.match((await message.textContent()) ?? '', /401/);
    assert.equal(await page.isDisabled('#run-cycle'), true);
  });

  await step('the right token unlocks the controls and stays in this tab only', async () => {
    await page.fill('#token-input', ADMIN_TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#token-set:not([hidden])', WAIT);
    assert.equal(await page.isDisabled('#run-cycle'), false);
    const stored = await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.values(localStorage),
      cookie: document.cookie,
    }));
    assert.deepEqual(stored, { session: [ADMIN_TOKEN], local: [], cookie: '' });
  });

  await step("the API's validation error is shown next to the form", async () => {
    await page.fill('#poison-ratio', '90');
    await page.click('#poison-form button[type=submit]');
    const message = page.locator('#poison-message.error');
    await message.waitFor(WAIT);
    assert.match((await message.textContent()) ?? '', /400.*ratio/);
  });

  let campaign: Campaign | undefined;
  await step('an injection from the form reaches the API and shows as a campaign', async () => {
    await page.selectOption('#poison-attack', 'blend');
    await page.fill('#poison-param', '0.3');
    await page.fill('#poison-ratio', '20');
    await page.fill('#poison-target', '3');
    await page.check('input[name="mode"][value="persistent"]');
    await page.fill('#poison-cycles', '2');
    await page.click('#poison-form button[type=submit]');
    const message = page.locator('#poison-message.ok');
    await message.waitFor(WAIT);
    const id = /Campaign (c[0-9a-f]{8}) queued/.exec((await message.textContent()) ?? '')?.[1];
    assert.ok(id, 'the answer names the campaign');

    campaign = await apiCall<Campaign>(service.url, `/admin/poison/${id}`);
    assert.deepEqual(
      {
        kind: campaign.trigger.kind,
        alpha: campaign.trigger.alpha,
        ratio: campaign.ratio,
        target: campaign.target,
      },
      { kind: 'blend', alpha: 0.3, ratio: 0.2, target: 3 },
    );
    assert.equal(campaign.mode, 'persistent');
    assert.equal(campaign.cycles, 2);

    const row = page.locator(`#campaign-rows tr[data-campaign="${id}"]`);
    await row.waitFor(WAIT);
    assert.match((await row.textContent()) ?? '', /Blend.*20% → 3.*persistent × 2/);
    // The next cycles evaluate the trigger: its ASR line appears on the ground-truth chart.
    await page.waitForFunction(
      (cid) =>
        (Chart.getChart('chart-asr')?.data.datasets.find((d) => d.campaign === cid)?.data.length ?? 0) > 0,
      id,
      WAIT,
    );
    const labels = await page.evaluate(() => Chart.getChart('chart-survivability')?.data.labels ?? []);
    assert.ok(
      labels.some((l) => l.includes(id)),
      'the campaign has a survivability bar',
    );
  });

  await step('pause, run a cycle, switch to STLR and roll back from the controls', async () => {
    // A user alias on the oldest version; the pause below reloads the registry, aliases included.
    const registry = await apiCall<{ versions: { version: number; status: string }[] }>(
      service.url,
      '/api/models',
    );
    const aliased = Math.min(
      ...registry.versions.filter((v) => v.status !== 'rejected').map((v) => v.version),
    );
    await apiCall(service.url, '/admin/aliases/known-good', {
      method: 'PUT',
      body: JSON.stringify({ version: aliased }),
    });
    await page.click('#toggle-pause');
    await page.waitForSelector('#paused:not([hidden])', WAIT);
    await page.waitForSelector('#phase[data-phase="idle"]', WAIT);
    const before = await accuracyVersions(page);

    await page.check('input[name="kind"][value="stlr"]');
    await page.click('#schedule-form button[type=submit]');
    await page.locator('#schedule-message.ok').waitFor(WAIT);
    await page.waitForFunction(
      () => document.getElementById('kpi-schedule')?.textContent?.startsWith('stlr:'),
      null,
      WAIT,
    );

    await page.click('#run-cycle');
    const accepted = page.locator('#actions-message.ok');
    await accepted.waitFor(WAIT);
    assert.match((await accepted.textContent()) ?? '', /Cycle accepted/);
    // Promoted or rejected (STLR at 0.5 on 200 images may diverge), the version is drawn.
    await page.waitForFunction(morePointsThan, total(before), WAIT);
    await page.waitForSelector('#phase[data-phase="idle"]', WAIT);
    const state = await apiCall<{ lastCycle: { schedule: string } }>(service.url, '/api/state');
    assert.match(state.lastCycle.schedule, /^stlr:/, 'the update ran with the schedule chosen in the page');

    // An option of a closed select is attached, never visible.
    await page.waitForSelector('#rollback-version optgroup[label="Aliases"] option[value="known-good"]', {
      ...WAIT,
      state: 'attached',
    });
    assert.equal(
      await page.textContent('#rollback-version option[value="known-good"]'),
      `@known-good → v${aliased}`,
    );
    await page.selectOption('#rollback-version', 'known-good');
    const posted = page.waitForRequest((r) => r.url().endsWith('/admin/rollback') && r.method() === 'POST');
    await page.click('#rollback-form button[type=submit]');
    assert.deepEqual((await posted).postDataJSON(), { version: 'known-good' });
    const byAlias = page.locator('#rollback-message.ok');
    await byAlias.waitFor(WAIT);
    assert.match((await byAlias.textContent()) ?? '', new RegExp(`v${aliased} is served again`));
    await page.waitForFunction(
      (v) => document.getElementById('kpi-version')?.textContent === `v${v}`,
      aliased,
      WAIT,
    );

    // Then by number, to another version than the alias's.
    const target = String(before.promoted.find((v) => v !== aliased));
    await page.selectOption('#rollback-version', target);
    await page.click('#rollback-form button[type=submit]');
    // The alias's answer is still shown until this one replaces it.
    await page.locator('#rollback-message.ok', { hasText: `v${target} is served again` }).waitFor(WAIT);
    await page.waitForFunction(
      (v) => document.getElementById('kpi-version')?.textContent === `v${v}`,
      target,
      WAIT,
    );
    await page.waitForFunction(
      () =>
        Chart.getChart('chart-timeline')?.data.datasets.some(
          (d) => d.label === 'Rollback' && d.data.length > 0,
        ),
      null,
      WAIT,
    );
    // The switch to STLR and the rollback are marked on every per-version chart and the timeline.
    await page.waitForFunction(markedOnEveryChart, 'schedule', WAIT);
    await page.waitForFunction(markedOnEveryChart, 'rolledback', WAIT);
    await page.waitForFunction(
      () => Chart.getChart('chart-timeline')?.data.datasets.some((d) => d.label === 'Schedule switch'),
      null,
      WAIT,
    );
  });

  await step(
    'the what-if control replays from a version and overlays the counterfactual curves',
    async () => {
      const registry = await apiCall<{ versions: { version: number }[] }>(service.url, '/api/models');
      // Newest first (the list is paged); the highest number is the newest version.
      const latest = Math.max(1, ...registry.versions.map((v) => v.version));
      const from = Math.max(2, latest - 3);
      await page.selectOption('#replay-version', String(from));
      await page.selectOption('#replay-policy', 'stlr');
      const posted = page.waitForRequest((r) => r.url().endsWith('/admin/replay') && r.method() === 'POST');
      await page.click('#replay-submit');
      assert.deepEqual((await posted).postDataJSON(), { from, policy: 'stlr:0.5' });
      const message = page.locator('#replay-message.ok');
      await message.waitFor(WAIT);
      const id = /Replay (r[0-9a-f]{8}) queued/.exec((await message.textContent()) ?? '')?.[1];
      assert.ok(id, 'the answer names the job');
      await page.waitForSelector('#replay-status:has-text("succeeded")', { timeout: 120_000 });
      const job = await apiCall<{
        status: string;
        rows: {
          version: number;
          counterfactual: { cleanAccuracy: number; schedule: string; asr: Record<string, number> };
        }[];
      }>(service.url, `/admin/replay/${id}`);
      assert.equal(job.status, 'succeeded');
      assert.deepEqual(
        job.rows.map((r) => r.version),
        Array.from({ length: latest - from + 1 }, (_, i) => from + i),
      );
      assert.ok(job.rows.every((r) => r.counterfactual.schedule.startsWith('stlr:0.5')));
      // The overlay on both charts: one point per replayed version, the API's numbers.
      const overlay = await page.evaluate(() =>
        ['chart-accuracy', 'chart-asr'].map((chart) =>
          Chart.getChart(chart)
            ?.data.datasets.find((d) => d.label.startsWith('What if stlr:0.5'))
            ?.data.map((p) => ({ x: p.x, y: p.y })),
        ),
      );
      assert.deepEqual(
        overlay[0],
        job.rows.map((r) => ({ x: r.version, y: r.counterfactual.cleanAccuracy * 100 })),
      );
      // ASR is measured from the campaign's creation on (earlier versions had no such trigger).
      const measured = job.rows.filter((r) => campaign && r.counterfactual.asr[campaign.id] !== undefined);
      assert.ok(measured.length > 0, 'the range includes versions after the campaign');
      assert.deepEqual(
        overlay[1],
        measured.map((r) => ({ x: r.version, y: r.counterfactual.asr[campaign?.id ?? ''] * 100 })),
      );
    },
  );

  await step('a scan triggered from the controls reaches the anomaly chart', async () => {
    await page.click('#run-scan');
    await page.waitForSelector('#actions-message.ok:has-text("Scan accepted")', WAIT);
    await page.waitForFunction(
      () => (Chart.getChart('chart-anomaly')?.data.datasets[0]?.data.length ?? 0) > 0,
      null,
      { timeout: 120_000 },
    );
    const scan = await apiCall<{ scan: { anomalyIndex: number }; model: { version: number } }>(
      service.url,
      '/api/state',
    );
    assert.equal(await page.textContent('#kpi-anomaly'), scan.scan.anomalyIndex.toFixed(2));
    // The registry keeps the scan with the version; the page lists it under the served version.
    const history = await apiCall<{ scans: { anomalyIndex: number }[] }>(
      service.url,
      `/api/models/${scan.model.version}/scans`,
    );
    assert.equal(history.scans.at(-1)?.anomalyIndex, scan.scan.anomalyIndex);
    await page.waitForSelector(
      `#scan-history li:has-text("index ${scan.scan.anomalyIndex.toFixed(2)}")`,
      WAIT,
    );
    assert.equal(await page.textContent('#scans-title'), `Scans of v${scan.model.version}`);
    // A reload draws the scan from the registry, not from a live event.
    await page.reload();
    await page.waitForFunction(
      () => (Chart.getChart('chart-anomaly')?.data.datasets[0]?.data.length ?? 0) > 0,
      null,
      WAIT,
    );
    await page.waitForSelector('#token-set:not([hidden])', WAIT);
  });

  await step("Alertmanager's alerts appear as firing, then as resolved", async () => {
    const alert = (status: string) => ({
      status,
      labels: { alertname: 'PermanenceBackdoorFlagged', severity: 'critical' },
      annotations: { summary: 'A scan flagged the served model' },
      startsAt: new Date().toISOString(),
      fingerprint: 'dashboard-test-1',
    });
    const send = (status: string) =>
      apiCall(service.url, '/hooks/alertmanager', {
        method: 'POST',
        body: JSON.stringify({ version: '4', status, alerts: [alert(status)] }),
      });
    await send('firing');
    await page.waitForSelector('#alerts-firing li.firing:has-text("PermanenceBackdoorFlagged")', WAIT);
    assert.equal(await page.textContent('#firing-count'), '1');
    await send('resolved');
    await page.waitForSelector('#alerts-resolved li.resolved:has-text("PermanenceBackdoorFlagged")', WAIT);
    assert.equal(await page.locator('#alerts-firing li.firing').count(), 0);
    await page.waitForFunction(
      () => Chart.getChart('chart-timeline')?.data.datasets.some((d) => d.label === 'Alert resolved'),
      null,
      WAIT,
    );
    await page.waitForFunction(markedOnEveryChart, 'alert-firing', WAIT);
  });

  await step('screenshots at 1280x800 and at phone width', async () => {
    const dir = screenshotDir();
    if (process.env.DASHBOARD_SCREENSHOT_DIR) {
      // Pictures for the documentation: SGD again (STLR at 0.5 on 200 images tends to
      // diverge), a second campaign, and a few more cycles.
      await apiCall(service.url, '/admin/schedule', {
        method: 'PUT',
        body: JSON.stringify({ schedule: 'sgd:0.03' }),
      });
      await apiCall(service.url, '/admin/poison', {
        method: 'POST',
        body: JSON.stringify({ attack: 'badnets', ratio: 0.2, target: 7, mode: 'persistent', cycles: 3 }),
      });
      await page.click('#toggle-pause');
      await page.waitForFunction(
        () => {
          const datasets = Chart.getChart('chart-accuracy')?.data.datasets ?? [];
          return datasets.reduce((n, d) => n + d.data.length, 0) >= 14;
        },
        null,
        { timeout: 120_000 },
      );
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(dir, 'dashboard.png') });
    await page.screenshot({ path: join(dir, 'dashboard-full.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Chart.js resizes its canvases on the next ResizeObserver callback: give it that time.
    await page
      .waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, null, {
        timeout: 10_000,
      })
      .catch(() => undefined);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at phone width (overflow ${overflow}px)`);
    // Nothing is cut off at phone width: not the campaigns table, not a chart summary.
    const clipped = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.table-scroll, .summary'))
        .filter((e) => e.scrollWidth > e.clientWidth + 1)
        .map((e) => e.id || e.className),
    );
    assert.deepEqual(clipped, []);
    // Each cell of a campaign card is labelled (the label is drawn from data-label).
    assert.match(
      (await page.textContent('#campaign-rows tr[data-campaign] td[data-label="Poisoned at drift step"]')) ??
        '',
      /^\d+(, \d+)*$/,
    );
    await page.screenshot({ path: join(dir, 'dashboard-phone.png') });
    t.diagnostic(`screenshots in ${dir}`);
  });

  await step('the only console errors are the refused requests made on purpose', () => {
    const unexpected = consoleErrors.filter((e) => !/status of (400|401)/.test(e));
    assert.deepEqual(unexpected, []);
  });
});
