/**
 * End to end on loopback: the real service (as `npm start` runs it, with fast cycles), a
 * real Prometheus loading infra/prometheus/alerts.yml unchanged, and a real Alertmanager
 * built from infra/alertmanager/alertmanager.yml. Poison is injected through the admin API;
 * BackdoorActive must fire in Prometheus and reach the service through the webhook. Then
 * every Grafana panel query runs against this Prometheus. Prints the seconds from injection
 * to firing and to delivery.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { dashboardQueries } from './grafana-queries.ts';
import { findTool, freePort, ManagedProcess, repoPath, waitFor } from './tools.ts';

const prometheusBin = findTool('prometheus');
const alertmanagerBin = findTool('alertmanager', 'prometheus-alertmanager');
const skip = !existsSync(repoPath('services', 'main.ts'))
  ? 'services/main.ts does not exist yet'
  : !prometheusBin || !alertmanagerBin
    ? 'prometheus/alertmanager not installed (run scripts/install-system-deps.sh)'
    : false;

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  value?: string;
}
interface PromResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
  warnings?: string[];
}
interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}
interface ServiceAlert {
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  if (!res.ok && res.status !== 400 && res.status !== 422) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

async function httpOk(url: string): Promise<true | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return res.ok ? true : undefined;
}

/** Alertmanager config of the repository, pointed at the service on loopback. */
function alertmanagerConfig(servicePort: number, tokenFile: string): string {
  const config = parse(readFileSync(repoPath('infra', 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    receivers: {
      webhook_configs?: { url: string; http_config: { authorization: { credentials_file?: string } } }[];
    }[];
  };
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs ?? []) {
      hook.url = `http://127.0.0.1:${servicePort}${new URL(hook.url).pathname}`;
      hook.http_config.authorization.credentials_file = tokenFile;
    }
  }
  return stringify(config);
}

/** Prometheus config of the repository on loopback, 1 s scrapes and evaluations, same rules. */
function prometheusConfig(servicePort: number, alertmanagerPort: number): string {
  const config = parse(readFileSync(repoPath('infra', 'prometheus', 'prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  config.global.scrape_interval = '1s';
  config.global.evaluation_interval = '1s';
  config.rule_files = config.rule_files.map((f) => repoPath('infra', 'prometheus', f));
  config.alerting.alertmanagers = [{ static_configs: [{ targets: [`127.0.0.1:${alertmanagerPort}`] }] }];
  config.scrape_configs = config.scrape_configs
    .filter((c) => c.job_name === 'permanence')
    .map((c) => ({ ...c, static_configs: [{ targets: [`127.0.0.1:${servicePort}`] }] }));
  assert.equal(config.scrape_configs.length, 1, 'prometheus.yml has no `permanence` job');
  return stringify(config);
}

/** What docker-compose passes to Prometheus from .env. */
const RUNBOOK_BASE_URL = 'https://runbooks.example.org/permanence/docs/operations.md';

test(
  'poisoning fires BackdoorActive in Prometheus and Alertmanager delivers it to the service',
  { skip, timeout: 420_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'permanence-alerting-'));
    const processes: ManagedProcess[] = [];
    // Also on a hard exit of the test runner: never leave a process group behind.
    const killAll = () => {
      for (const p of processes) if (p.child.pid && !p.exited) process.kill(-p.child.pid, 'SIGKILL');
    };
    process.once('exit', killAll);
    t.after(async () => {
      await Promise.all(processes.map((p) => p.stop()));
      process.off('exit', killAll);
      rmSync(dir, { recursive: true, force: true });
    });

    const [servicePort, prometheusPort, alertmanagerPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const adminToken = randomBytes(18).toString('base64url');
    const hookToken = randomBytes(18).toString('base64url');
    const service = `http://127.0.0.1:${servicePort}`;
    const prometheus = `http://127.0.0.1:${prometheusPort}`;
    const alertmanager = `http://127.0.0.1:${alertmanagerPort}`;

    // The service, as `npm start` runs it; small sizes so one cycle takes about a second.
    const serviceProcess = new ManagedProcess(
      'service',
      process.execPath,
      ['--import', 'tsx', 'services/main.ts'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(servicePort),
          HOST: '127.0.0.1',
          DATA_DIR: join(dir, 'data'),
          ADMIN_TOKEN: adminToken,
          ALERT_WEBHOOK_TOKEN: hookToken,
          LOG_LEVEL: 'warn',
          CYCLE_INTERVAL_SECONDS: '3',
          F0_EPOCHS: '1',
          POOL_SUBSET: '256',
          EVAL_SUBSET: '200',
          UPDATE_EPOCHS: '1',
          SCHEDULE: 'sgd:0.05',
          // Half of a 256-image batch is poison here: the update's accuracy drop is the attack
          // working, not a divergence, so the rejection guard must not hold it back.
          DIVERGENCE_ACCURACY_DROP: '0.95',
        },
      },
    );
    processes.push(serviceProcess);

    const tokenFile = join(dir, 'webhook-token');
    writeFileSync(tokenFile, hookToken, { mode: 0o600 });
    writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerConfig(servicePort, tokenFile));
    const alertmanagerProcess = new ManagedProcess('alertmanager', alertmanagerBin as string, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'alertmanager')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      '--cluster.listen-address=',
    ]);
    processes.push(alertmanagerProcess);

    writeFileSync(join(dir, 'prometheus.yml'), prometheusConfig(servicePort, alertmanagerPort));
    const prometheusProcess = new ManagedProcess(
      'prometheus',
      prometheusBin as string,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prometheus')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--enable-feature=expand-external-labels',
      ],
      { env: { ...process.env, RUNBOOK_BASE_URL } },
    );
    processes.push(prometheusProcess);

    const alive = processes;
    await waitFor('Alertmanager ready', () => httpOk(`${alertmanager}/-/ready`), {
      timeoutMs: 30_000,
      alive,
    });
    await waitFor('Prometheus ready', () => httpOk(`${prometheus}/-/ready`), { timeoutMs: 30_000, alive });
    // First start trains F0; generous, the machine is shared.
    await waitFor('service ready (F0 trained)', () => httpOk(`${service}/readyz`), {
      timeoutMs: 240_000,
      alive,
    });

    const query = async (expr: string) =>
      getJson<PromResponse<{ resultType: string; result: VectorSample[] }>>(
        `${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
    const firing = async (name: string) => {
      const res = await getJson<PromResponse<{ alerts: PromAlert[] }>>(`${prometheus}/api/v1/alerts`);
      return res.data.alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');
    };

    // Prometheus scrapes the service and has seen a successful cycle.
    await waitFor(
      'Prometheus to scrape a successful cycle',
      async () => {
        const res = await query('permanence_cycles_total{outcome="success"} > 0');
        return res.data.result.length > 0 ? true : undefined;
      },
      { timeoutMs: 60_000, alive },
    );
    assert.deepEqual(await firing('BackdoorActive'), [], 'BackdoorActive fires before any poison');

    const poison = await fetch(`${service}/admin/poison`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ attack: 'badnets', ratio: 0.5, target: 0, mode: 'persistent', cycles: 100 }),
    });
    const poisonText = await poison.text();
    assert.equal(poison.status, 202, poisonText);
    const campaign = (JSON.parse(poisonText) as { id: string }).id;
    const injectedAt = Date.now();

    const fired = await waitFor(
      'BackdoorActive firing in Prometheus',
      async () => {
        const alerts = await firing('BackdoorActive');
        return alerts.length > 0 ? alerts : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 1000, alive },
    );
    const firedAfter = (Date.now() - injectedAt) / 1000;
    assert.equal(fired[0].labels.campaign, campaign);
    assert.equal(fired[0].labels.signal, 'ground_truth');

    const delivered = await waitFor(
      'BackdoorActive delivered to /hooks/alertmanager',
      async () => {
        const res = await getJson<{ firing: ServiceAlert[] }>(`${service}/api/alerts`);
        const mine = res.firing.filter((a) => a.name === 'BackdoorActive' && a.labels.campaign === campaign);
        return mine.length > 0 ? mine : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, alive },
    );
    const deliveredAfter = (Date.now() - injectedAt) / 1000;
    assert.equal(delivered[0].labels.severity, 'critical');
    // The runbook link arrives absolute: the compose stack's RUNBOOK_BASE_URL plus the section.
    assert.equal(delivered[0].annotations.runbook_url, `${RUNBOOK_BASE_URL}#backdooractive`);
    // The counter moves too (what a Grafana panel shows), seen through Prometheus.
    await waitFor(
      'permanence_alerts_received_total{status="firing"} in Prometheus',
      async () => {
        const res = await query('permanence_alerts_received_total{status="firing"} > 0');
        return res.data.result.length > 0 ? true : undefined;
      },
      { timeoutMs: 15_000, alive },
    );

    const message = `injection -> BackdoorActive firing in Prometheus: ${firedAfter.toFixed(1)} s; delivered to the service: ${deliveredAfter.toFixed(1)} s`;
    t.diagnostic(message);
    console.log(message);

    // Every Grafana query runs without error on this Prometheus; the ASR panel has data.
    const failures: string[] = [];
    let withData = 0;
    const queries = dashboardQueries();
    for (const q of queries) {
      const res = await query(q.expr);
      if (res.status !== 'success') failures.push(`${q.source}: ${res.error ?? 'error'}\n  ${q.expr}`);
      else if (res.data.result.length > 0) withData += 1;
    }
    assert.deepEqual(failures, []);
    const asr = await query(
      queries.find((q) => q.raw.startsWith('permanence_truth_attack_success_ratio'))?.expr ?? '',
    );
    assert.ok(asr.data.result.length > 0, 'the ASR panel query returns nothing');
    const summary = `${queries.length} Grafana queries ran without error, ${withData} returned data`;
    t.diagnostic(summary);
    console.log(summary);
  },
);
