/**
 * The Grafana dashboard and its provisioning: importable JSON (stable uid, id null, a
 * datasource variable), a panel for every exported metric, thresholds that match the alert
 * rules, and PromQL that Prometheus's own parser accepts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { METRICS } from '../../services/contract.ts';
import {
  DASHBOARD_PATH,
  dashboardQueries,
  expandGrafanaVariables,
  flattenPanels,
  grafanaQueries,
} from './grafana-queries.ts';
import { findTool, repoPath, run } from './tools.ts';

interface Threshold {
  value: number | null;
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string }[];
  fieldConfig?: { defaults?: { thresholds?: { steps?: Threshold[] } } };
}
const dashboard = JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as {
  id: unknown;
  uid: unknown;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown }[] };
  annotations: { list: { name: string; expr?: string }[] };
};
const promtool = findTool('promtool');

/**
 * Parses PromQL offline with Prometheus's parser: each query becomes a recording rule and
 * `promtool check rules` reports the ones that do not parse. Returns promtool's result.
 */
function checkPromql(queries: readonly string[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'permanence-promql-'));
  try {
    const rules = {
      groups: [
        { name: 'dashboard', rules: queries.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) },
      ],
    };
    const file = join(dir, 'queries.yml');
    writeFileSync(file, stringify(rules));
    const result = run(promtool as string, ['check', 'rules', file]);
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the dashboard is importable: stable uid, id null, a Prometheus datasource variable', () => {
  assert.equal(dashboard.id, null);
  assert.equal(dashboard.uid, 'permanence-live');
  const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
  assert.ok(variable, 'no datasource template variable');
  assert.equal(variable.query, 'prometheus');
  for (const panel of flattenPanels(dashboard.panels) as Panel[]) {
    if (panel.type === 'row') continue;
    assert.equal(
      panel.datasource?.uid,
      '${' + variable.name + '}',
      `panel "${panel.title}" ignores the variable`,
    );
  }
});

test('every metric the service exports has a panel', () => {
  const exprs = dashboardQueries()
    .filter((q) => q.source.startsWith('panel'))
    .map((q) => q.raw)
    .join('\n');
  const missing = Object.values(METRICS).filter(
    (name) => !new RegExp(`\\b${name}(_bucket|_sum|_count)?\\b`).test(exprs),
  );
  assert.deepEqual(missing, []);
});

test('thresholds match the alert rules: ASR 0.5, anomaly index 2', () => {
  const thresholdsOf = (metric: string) => {
    const panel = dashboard.panels.find((p) => (p.targets ?? []).some((t) => t.expr?.includes(metric)));
    assert.ok(panel, `no panel for ${metric}`);
    return (panel.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s) => s.value);
  };
  assert.ok(thresholdsOf(METRICS.attackSuccess).includes(0.5));
  assert.ok(thresholdsOf(METRICS.anomalyIndex).includes(2));
});

test('annotations mark poison campaigns and promotions', () => {
  const exprs = dashboard.annotations.list.map((a) => a.expr ?? '');
  assert.ok(exprs.some((e) => e.includes(METRICS.poisonActive)));
  assert.ok(exprs.some((e) => e.includes(METRICS.modelInfo)));
});

test('Grafana variables expand to PromQL and unknown ones are refused', () => {
  assert.equal(expandGrafanaVariables('rate(x{job=~"$job"}[$__rate_interval])'), 'rate(x{job=~".+"}[1m])');
  assert.throws(() => expandGrafanaVariables('x{a="$nope"}'), /unknown Grafana variable/);
  const queries = grafanaQueries();
  assert.ok(queries.length >= 20, `only ${queries.length} queries`);
  for (const q of queries) assert.doesNotMatch(q, /\$/);
});

test('every dashboard query parses as PromQL', { skip: promtool ? false : 'promtool not installed' }, () => {
  // The checker itself must reject a broken query, or this test could never fail.
  assert.notEqual(checkPromql(['sum(rate(x[1m])']).status, 0);
  const queries = dashboardQueries();
  const result = checkPromql(queries.map((q) => q.expr));
  assert.equal(
    result.status,
    0,
    `${result.output}\n${queries.map((q, i) => `${i}: ${q.source}`).join('\n')}`,
  );
});

test('provisioning points Grafana at Prometheus and at the mounted dashboard folder', () => {
  const datasources = parse(
    readFileSync(repoPath('infra', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
  ) as { datasources: { type: string; url: string; isDefault?: boolean }[] };
  const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
  assert.ok(prometheus?.isDefault);
  assert.equal(new URL(prometheus.url).host, 'prometheus:9090');

  const providers = parse(
    readFileSync(repoPath('infra', 'grafana', 'provisioning', 'dashboards', 'permanence.yml'), 'utf8'),
  ) as { providers: { options: { path: string } }[] };
  const compose = parse(readFileSync(repoPath('docker-compose.yml'), 'utf8')) as {
    services: { grafana: { volumes: string[] } };
  };
  const mounted = compose.services.grafana.volumes.map((v) => v.split(':'));
  for (const provider of providers.providers) {
    assert.ok(
      mounted.some(([from, to]) => from === './dashboards/grafana' && to === provider.options.path),
      `compose does not mount dashboards/grafana at ${provider.options.path}`,
    );
  }
});
