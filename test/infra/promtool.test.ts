/**
 * Prometheus and Alertmanager configuration: validated by the real promtool/amtool, the
 * alert unit tests run by `promtool test rules`, and the conventions every alert follows
 * (severity, annotations, a runbook section, a firing and a not-firing test case).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { METRICS } from '../../services/contract.ts';
import { findTool, repoPath, run } from './tools.ts';

const PROMETHEUS_DIR = repoPath('infra', 'prometheus');
const promtool = findTool('promtool');
const amtool = findTool('amtool');
const needTool = (tool: string | undefined, name: string) =>
  tool ? false : `${name} not installed (run scripts/install-system-deps.sh)`;

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: AlertRule[] }[];
}
interface RuleTestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

function alertRules(): AlertRule[] {
  const file = parse(readFileSync(repoPath('infra', 'prometheus', 'alerts.yml'), 'utf8')) as RuleFile;
  return file.groups.flatMap((g) => g.rules);
}

test(
  'promtool accepts prometheus.yml and the rule files it loads',
  { skip: needTool(promtool, 'promtool') },
  () => {
    const result = run(promtool as string, ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS_DIR });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /SUCCESS: 1 rule files found/);
  },
);

test('promtool check rules accepts alerts.yml', { skip: needTool(promtool, 'promtool') }, () => {
  const result = run(promtool as string, ['check', 'rules', 'alerts.yml'], { cwd: PROMETHEUS_DIR });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`SUCCESS: ${alertRules().length} rules found`));
});

test('promtool test rules: every alert unit test passes', { skip: needTool(promtool, 'promtool') }, () => {
  const result = run(promtool as string, ['test', 'rules', 'alerts.test.yml'], { cwd: PROMETHEUS_DIR });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('the alerts the brief asks for exist', () => {
  const names = alertRules().map((r) => r.alert);
  for (const name of [
    'BackdoorSuspected',
    'BackdoorActive',
    'BackdoorSurviving',
    'AccuracyDegraded',
    'CyclesFailing',
    'LoopStalled',
    'UpdateRejected',
  ]) {
    assert.ok(names.includes(name), `missing alert ${name}`);
  }
  assert.equal(new Set(names).size, names.length, 'alert names must be unique');
});

test('every alert has a severity, a signal, summary/description and a runbook section', () => {
  const operations = readFileSync(repoPath('docs', 'operations.md'), 'utf8');
  // GitHub anchors of the `### Name` headings of docs/operations.md.
  const anchors = new Set(
    [...operations.matchAll(/^#{2,4} +(.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  for (const rule of alertRules()) {
    assert.ok(['critical', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
    // Ground-truth metrics need the attacker's trigger: those alerts must say so.
    const groundTruth = rule.expr.includes('permanence_truth_');
    assert.equal(
      rule.labels?.signal,
      groundTruth ? 'ground_truth' : 'observable',
      `${rule.alert}: signal label`,
    );
    assert.ok(rule.annotations?.summary, `${rule.alert}: summary`);
    assert.ok(rule.annotations?.description, `${rule.alert}: description`);
    // Absolute: the base is an external label of prometheus.yml (see the next test).
    const runbook = rule.annotations?.runbook_url ?? '';
    const match = /^\{\{ \$externalLabels\.runbook_base_url \}\}#(.+)$/.exec(runbook);
    assert.ok(match, `${rule.alert}: runbook_url must be '<runbook_base_url>#<section>', got "${runbook}"`);
    assert.ok(anchors.has(match[1]), `${rule.alert}: docs/operations.md has no section #${match[1]}`);
  }
});

test('prometheus.yml sets the runbook base from RUNBOOK_BASE_URL (docs/operations.md says how)', () => {
  const config = parse(readFileSync(repoPath('infra', 'prometheus', 'prometheus.yml'), 'utf8')) as {
    global: { external_labels: Record<string, string> };
  };
  assert.equal(config.global.external_labels.runbook_base_url, '${RUNBOOK_BASE_URL}');
  assert.match(readFileSync(repoPath('docs', 'operations.md'), 'utf8'), /RUNBOOK_BASE_URL/);
});

test('alert expressions only use metrics the service exports (or Prometheus own)', () => {
  const exported = new Set<string>(Object.values(METRICS));
  const known = (name: string) =>
    exported.has(name) || exported.has(name.replace(/_(bucket|sum|count)$/, '')) || name === 'up';
  for (const rule of alertRules()) {
    const metricNames = rule.expr.match(/\b(permanence_\w+|up)\b(?=\s*[{[)\s]|$)/g) ?? [];
    assert.ok(metricNames.length > 0, `${rule.alert}: no metric found in its expression`);
    for (const name of metricNames)
      assert.ok(known(name), `${rule.alert} uses ${name}, not in services/contract.ts`);
  }
});

test('every alert has a firing and a not-firing unit test case', () => {
  const file = parse(
    readFileSync(repoPath('infra', 'prometheus', 'alerts.test.yml'), 'utf8'),
  ) as RuleTestFile;
  const cases = file.tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const { alert } of alertRules()) {
    const mine = cases.filter((c) => c.alertname === alert);
    assert.ok(
      mine.some((c) => (c.exp_alerts ?? []).length > 0),
      `${alert}: no case where it fires`,
    );
    assert.ok(
      mine.some((c) => (c.exp_alerts ?? []).length === 0),
      `${alert}: no case where it stays silent`,
    );
  }
});

test('amtool accepts alertmanager.yml', { skip: needTool(amtool, 'amtool') }, () => {
  const result = run(amtool as string, [
    'check-config',
    repoPath('infra', 'alertmanager', 'alertmanager.yml'),
  ]);
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test('Alertmanager sends every alert to the service webhook with a bearer token', () => {
  interface WebhookConfig {
    url: string;
    send_resolved?: boolean;
    http_config?: { authorization?: { type?: string; credentials?: string; credentials_file?: string } };
  }
  const config = parse(readFileSync(repoPath('infra', 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    route: { receiver: string; routes?: { receiver: string }[] };
    receivers: { name: string; webhook_configs?: WebhookConfig[] }[];
  };
  const used = [config.route.receiver, ...(config.route.routes ?? []).map((r) => r.receiver)];
  for (const name of used) {
    const receiver = config.receivers.find((r) => r.name === name);
    assert.ok(receiver, `receiver ${name} is not defined`);
    const hooks = receiver.webhook_configs ?? [];
    assert.ok(hooks.length > 0, `receiver ${name} has no webhook`);
    for (const hook of hooks) {
      assert.equal(new URL(hook.url).pathname, '/hooks/alertmanager');
      assert.equal(hook.send_resolved, true);
      const auth = hook.http_config?.authorization;
      assert.equal(auth?.type, 'Bearer');
      assert.ok(auth?.credentials ?? auth?.credentials_file, 'webhook without credentials');
    }
  }
});
