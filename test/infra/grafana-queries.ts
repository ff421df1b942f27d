/**
 * The PromQL of the Grafana dashboard (panels, annotations, template variables), with
 * Grafana's variables expanded so Prometheus can run them. Used by the dashboard test and
 * by the integration tests that run every query against a live Prometheus.
 */
import { readFileSync } from 'node:fs';
import { repoPath } from './tools.ts';

export const DASHBOARD_PATH = repoPath('dashboards', 'grafana', 'permanence.json');

export interface DashboardQuery {
  /** Where the query comes from, e.g. `panel "Clean accuracy" A`, for messages. */
  source: string;
  /** The query as stored in the dashboard, Grafana variables included. */
  raw: string;
  /** The query runnable on Prometheus. */
  expr: string;
}

interface Target {
  refId?: string;
  expr?: string;
}
interface Panel {
  title?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels?: Panel[];
  annotations?: { list?: { name?: string; expr?: string }[] };
  templating?: { list?: { name?: string; type?: string; query?: string | { query?: string } }[] };
}

/**
 * Values for Grafana's variables. `$job`/`$instance` are multi-value regex variables whose
 * "All" value is `.+`; the intervals are those Grafana computes for a 1 h range.
 */
const VARIABLE_VALUES: Record<string, string> = {
  job: '.+',
  instance: '.+',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/** Replaces `$name` and `${name}` by the values above; unknown variables throw. */
export function expandGrafanaVariables(query: string): string {
  return query.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_match, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      const value = VARIABLE_VALUES[name];
      if (value === undefined) throw new Error(`unknown Grafana variable $${name} in: ${query}`);
      return value;
    },
  );
}

export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Panels in display order, rows' nested panels included. */
export function flattenPanels(panels: readonly Panel[] = []): Panel[] {
  return panels.flatMap((p) => [p, ...flattenPanels(p.panels ?? [])]);
}

/** Every query of the dashboard with where it comes from. */
export function dashboardQueries(dashboard: Dashboard = loadDashboard()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const add = (source: string, raw: string) =>
    queries.push({ source, raw, expr: expandGrafanaVariables(raw) });
  for (const panel of flattenPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      if (target.expr) add(`panel "${panel.title ?? '?'}" ${target.refId ?? ''}`.trim(), target.expr);
    }
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (annotation.expr) add(`annotation "${annotation.name ?? '?'}"`, annotation.expr);
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    // label_values(<selector>, <label>) is Grafana's; the selector inside is PromQL.
    const selector = query ? /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1] : undefined;
    if (selector) add(`variable $${variable.name ?? '?'}`, selector);
  }
  return queries;
}

/** The dashboard's queries, runnable as-is on Prometheus (GET /api/v1/query?query=...). */
export function grafanaQueries(): string[] {
  return dashboardQueries().map((q) => q.expr);
}
