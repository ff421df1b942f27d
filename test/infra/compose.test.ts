/**
 * docker-compose.yml and the image: Debian's docker-compose validates the file, the service
 * gets only environment variables it reads, the pieces point at each other by the right
 * names, and the Dockerfile keeps its promises (multi-stage, non-root, health check).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { ENV_VARS } from '../../services/config.ts';
import { findTool, repoPath, run } from './tools.ts';

const dockerCompose = findTool('docker-compose');
const skipCompose = dockerCompose
  ? false
  : 'docker-compose not installed (run scripts/install-system-deps.sh)';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | null>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const scratch = mkdtempSync(join(tmpdir(), 'permanence-compose-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** `docker-compose config` with an explicit env file, so a developer's .env cannot interfere. */
function composeConfig(envFileText: string) {
  const envFile = join(scratch, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(envFile, envFileText);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch };
  return run(dockerCompose as string, ['-f', 'docker-compose.yml', '--env-file', envFile, 'config'], { env });
}

let resolved: ComposeFile | undefined;
function resolvedCompose(): ComposeFile {
  if (!resolved) {
    const result = composeConfig(readFileSync(repoPath('infra', 'compose.env.example'), 'utf8'));
    assert.equal(result.status, 0, result.stderr);
    resolved = parse(result.stdout) as ComposeFile;
  }
  return resolved;
}

test('docker-compose config accepts the file with the example .env', { skip: skipCompose }, () => {
  const services = Object.keys(resolvedCompose().services).sort();
  assert.deepEqual(services, [
    'alertmanager',
    'grafana',
    'minio',
    'minio-init',
    'permanence',
    'prometheus',
    'redis',
    'sweep-worker-1',
    'sweep-worker-2',
  ]);
});

test('docker-compose refuses to start without the secrets', { skip: skipCompose }, () => {
  const result = composeConfig('');
  assert.notEqual(result.status, 0);
  assert.match(
    result.stderr,
    /ADMIN_TOKEN|ALERT_WEBHOOK_TOKEN|MINIO_ROOT_(USER|PASSWORD)|GRAFANA_ADMIN_PASSWORD/,
  );
});

test(
  'the service only gets environment variables it reads (services/config.ts ENV_VARS)',
  { skip: skipCompose },
  () => {
    const environment = resolvedCompose().services.permanence.environment ?? {};
    const unknown = Object.keys(environment).filter((name) => !(name in ENV_VARS));
    assert.deepEqual(unknown, [], `not read by the service: ${unknown.join(', ')}`);
    assert.equal(environment.REGISTRY, 's3');
    assert.equal(environment.S3_ENDPOINT, 'minio');
    for (const secret of ['ADMIN_TOKEN', 'ALERT_WEBHOOK_TOKEN'] as const) {
      assert.ok((environment[secret] ?? '').length >= 16, `${secret} shorter than the service accepts`);
    }
  },
);

test('the pieces find each other: scrape target, webhook, bucket, token file', { skip: skipCompose }, () => {
  const { services } = resolvedCompose();
  const port = services.permanence.environment?.PORT;

  const prometheus = parse(readFileSync(repoPath('infra', 'prometheus', 'prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  };
  const job = prometheus.scrape_configs.find((c) => c.job_name === 'permanence');
  assert.deepEqual(job?.static_configs[0].targets, [`permanence:${port}`]);
  assert.deepEqual(prometheus.alerting.alertmanagers[0].static_configs[0].targets, ['alertmanager:9093']);

  const alertmanager = parse(readFileSync(repoPath('infra', 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    receivers: {
      webhook_configs: { url: string; http_config: { authorization: { credentials_file: string } } }[];
    }[];
  };
  const hook = alertmanager.receivers[0].webhook_configs[0];
  assert.equal(new URL(hook.url).host, `permanence:${port}`);
  // The compose entrypoint writes ALERT_WEBHOOK_TOKEN to the file alertmanager.yml reads.
  const entrypoint = (services.alertmanager as { entrypoint?: string[] }).entrypoint?.join(' ') ?? '';
  assert.ok(entrypoint.includes(`> ${hook.http_config.authorization.credentials_file}`), entrypoint);
  assert.equal(
    services.alertmanager.environment?.ALERT_WEBHOOK_TOKEN,
    services.permanence.environment?.ALERT_WEBHOOK_TOKEN,
  );

  const init = (services['minio-init'] as { entrypoint?: string[] }).entrypoint?.join(' ') ?? '';
  assert.match(init, /mc mb --ignore-existing "local\/\$\$?S3_BUCKET"/);
  assert.equal(services['minio-init'].environment?.S3_BUCKET, services.permanence.environment?.S3_BUCKET);
  assert.equal(services.permanence.depends_on?.['minio-init']?.condition, 'service_completed_successfully');
});

test('every image is pinned to a version (no :latest, no bare name)', { skip: skipCompose }, () => {
  const { services } = resolvedCompose();
  for (const [name, service] of Object.entries(services)) {
    if (service.build) continue; // built from this repository
    const image = service.image ?? '';
    const tag = /:([^/:@]+)(@sha256:[0-9a-f]+)?$/.exec(image)?.[1];
    assert.ok(tag && tag !== 'latest', `${name}: image '${image}' is not pinned`);
  }
  assert.match(services.minio.image ?? '', /^minio\/minio:RELEASE\.\d{4}-\d{2}-\d{2}T/);
  assert.match(services['minio-init'].image ?? '', /^minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T/);
});

test(
  'Prometheus gets an absolute runbook base URL and expands it into its external labels',
  { skip: skipCompose },
  () => {
    const prometheus = resolvedCompose().services.prometheus;
    assert.ok(prometheus.command?.includes('--enable-feature=expand-external-labels'));
    assert.match(prometheus.environment?.RUNBOOK_BASE_URL ?? '', /^https?:\/\/[^/]+\/.*operations\.md$/);
    const missing = composeConfig(
      readFileSync(repoPath('infra', 'compose.env.example'), 'utf8').replace(/^RUNBOOK_BASE_URL=.*$/m, ''),
    );
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /RUNBOOK_BASE_URL/);
  },
);

test('two sweep workers consume the Redis queue with the image of the service', { skip: skipCompose }, () => {
  const { services } = resolvedCompose();
  for (const name of ['sweep-worker-1', 'sweep-worker-2']) {
    const worker = services[name];
    assert.deepEqual(worker.command, [
      'node',
      'bin/permanence.mjs',
      'worker',
      '--queue',
      'redis://redis:6379',
    ]);
    assert.equal(worker.image, services.permanence.image);
    assert.equal(worker.depends_on?.redis?.condition, 'service_healthy');
  }
});

test('Dockerfile: multi-stage npm ci, non-root, health check on /healthz, npm start as CMD', () => {
  const dockerfile = readFileSync(repoPath('infra', 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\w+)/gim)].map((m) => m[1]);
  assert.deepEqual(stages, ['deps', 'runtime']);
  const [depsStage, runtimeStage] = dockerfile.split(/^FROM .*$/m).slice(1);
  assert.match(depsStage, /npm ci\b/);
  assert.match(runtimeStage, /^COPY --from=deps /m);
  assert.match(runtimeStage, /^USER node$/m);
  assert.match(runtimeStage, /^HEALTHCHECK [\s\S]*\/healthz/m);

  const cmd = /^CMD (\[.*\])$/m.exec(runtimeStage)?.[1];
  assert.ok(cmd, 'no exec-form CMD');
  const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { scripts: { start: string } };
  // npm start execs the same command (exec: npm's signals reach node, see npm-start.test.ts).
  assert.deepEqual(['exec', ...(JSON.parse(cmd) as string[])], pkg.scripts.start.split(' '));
  assert.deepEqual(JSON.parse(cmd), ['node', '--import', 'tsx', 'services/main.ts']);
});

test('.dockerignore keeps secrets, dependencies and local state out of the image', () => {
  const ignored = readFileSync(repoPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const entry of ['.git', 'node_modules', '.env', 'runs', 'data', 'test']) {
    assert.ok(ignored.includes(entry), `.dockerignore misses ${entry}`);
  }
  // The image runs these, so they must stay in the build context.
  for (const needed of ['services', 'sim', 'bin', 'package.json', 'package-lock.json']) {
    assert.ok(!ignored.includes(needed), `.dockerignore excludes ${needed}`);
  }
});
