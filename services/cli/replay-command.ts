/**
 * `permanence replay <registry>`: counterfactual replay of a live history (docs/replay.md).
 * The registry is a filesystem registry folder or s3://<bucket> (S3_* variables as for the
 * service). Every input is checked before anything runs; bad input exits 2 and writes nothing.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import type { BackendName } from '../../sim/backend/loader.ts';
import { backendNotices } from '../../sim/cli/notices.ts';
import { positiveInteger, usage, UsageError } from '../../sim/cli/usage.ts';
import type { ReplayProgress, ReplayResult } from '../../sim/replay/engine.ts';
import type { ReplayHistory } from '../../sim/replay/history.ts';
import type { ModelStore } from '../registry/model-store.ts';

interface ReplayFlags {
  model: string;
  from: string;
  to?: string;
  policy?: string;
  compare?: string;
  campaign?: string;
  gamma: string;
  out?: string;
  jobs?: string;
  backend?: BackendName;
}

/** `v5` or `5`. */
export function parseVersion(text: string, flag: string): number {
  const m = /^v?(\d+)$/i.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new UsageError(`--${flag} must be a version such as v5, got '${text}'`);
  return Number(m[1]);
}

/** A registry argument: s3://<bucket> (S3_* from the environment) or a filesystem registry folder. */
export async function openRegistry(arg: string, env: NodeJS.ProcessEnv = process.env): Promise<ModelStore> {
  const s3 = /^s3:\/\/([^/]+)\/?$/.exec(arg);
  const { loadConfig } = await import('../config.ts');
  const { createModelStore } = await import('../registry/create-store.ts');
  const config = s3
    ? loadConfig({ ...env, REGISTRY: 's3', S3_BUCKET: s3[1] })
    : loadConfig({ ...env, REGISTRY: 'fs', DATA_DIR: arg });
  if (!s3) {
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    if (!existsSync(join(arg, 'models')))
      throw new UsageError(`${arg} is not a registry (no models/ folder)`);
  }
  return createModelStore(config);
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'Re-run a recorded live history under another update policy: would STLR have removed the backdoor, when, at what cost?',
    )
    .argument('<registry>', 'a filesystem registry folder (the service DATA_DIR) or s3://<bucket>')
    .option('--model <name>', 'model name in the registry', 'live-mnist')
    .requiredOption('--from <version>', 'first version to re-run (its parent is the starting point), e.g. v5')
    .option('--to <version>', 'last version to re-run (default: the latest)')
    .option(
      '--policy <policy>',
      'recorded | sgd:<lr> | stlr:<max> | <schedule>@v<N> | periodic:<schedule>:every=<n> | scan-stlr[:<schedule>][:updates=<k>][:every=<n>]',
    )
    .option('--compare <policies>', 'comma-separated policies replayed in parallel; prints one table')
    .option('--campaign <id>', 'campaign the summary is about (default: the last one poisoning the range)')
    .option('--gamma <asr>', 'survivability threshold', '0.5')
    .option('--jobs <n>', 'replays at once with --compare (default: the cores)')
    .option('-o, --out <dir>', 'run folder (default runs/replay-<model>-v<from>-v<to>-<time>)')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu (default: fastest available)')
    .addHelpText(
      'after',
      `
Examples:
  permanence replay data --from v5 --policy stlr:0.5@v6
  permanence replay s3://permanence --from v5 --compare sgd:0.01,stlr:0.5@v6,periodic:stlr:0.5:every=3,scan-stlr

Writes <out>/replay.json, replay.csv, table.md and replay.svg; prints the policy table.
Exit code 0: done; 1: error while running; 2: usage error (unknown version, a range that runs
backwards, a version without or with a corrupt experience record, an unknown policy).`,
    )
    .action(async (registry: string, flags: ReplayFlags, command: Command) => {
      const { parseReplayPolicy, describePolicy } = await import('../../sim/replay/policy.ts');
      if ((flags.policy === undefined) === (flags.compare === undefined))
        throw new UsageError('give exactly one of --policy and --compare');
      const policies = (flags.compare ?? flags.policy ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) => describePolicy(usage(() => parseReplayPolicy(p))));
      if (policies.length === 0) throw new UsageError('--compare names no policy');
      const from = parseVersion(flags.from, 'from');
      const to = flags.to === undefined ? undefined : parseVersion(flags.to, 'to');
      const gamma = Number(flags.gamma);
      if (!(gamma > 0 && gamma < 1)) throw new UsageError(`--gamma must be in (0, 1), got '${flags.gamma}'`);
      const jobs = flags.jobs === undefined ? availableParallelism() : positiveInteger(flags.jobs, 'jobs');

      const store = await openRegistry(registry);
      const { historySource } = await import('../registry/history-source.ts');
      const { loadHistory, ReplayInputError } = await import('../../sim/replay/history.ts');
      let history: ReplayHistory;
      try {
        history = await loadHistory(historySource(store), flags.model, { from, to });
      } catch (err) {
        throw err instanceof ReplayInputError ? new UsageError(err.message) : err;
      }
      if (
        flags.campaign !== undefined &&
        !history.versions.some((v) => v.record.probes.some((p) => p.campaign === flags.campaign))
      )
        throw new UsageError(`campaign ${flags.campaign} is not measured in v${from}..`);

      const { loadBackend } = await import('../../sim/backend/loader.ts');
      const { speedPath } = await import('../../sim/backend/speed-path.ts');
      const notices = backendNotices(Boolean(command.optsWithGlobals().verbose));
      const backend = await loadBackend({ backend: flags.backend, log: notices.log });
      const range = `${flags.model} v${history.versions[0].version}..v${history.versions.at(-1)?.version}`;
      console.error(
        `backend ${speedPath(backend).summary}; replaying ${range} (${history.versions.length} versions) under ${policies.join(', ')}`,
      );
      notices.done(speedPath(backend));
      const started = performance.now();
      const results = await runPolicies(history, policies, {
        jobs,
        campaign: flags.campaign,
        gamma,
        backend: flags.backend,
        currentBackend: backend.name,
        onProgress: (policy, p) =>
          console.error(`  ${policy}: v${p.version} replayed (${p.done}/${p.total})`),
      });
      const seconds = (performance.now() - started) / 1000;
      const { writeReplayFolder, policyTable } = await import('../../sim/replay/output.ts');
      const out =
        flags.out ??
        `runs/replay-${flags.model}-v${results[0].from}-v${results[0].to}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const files = await writeReplayFolder(out, results);
      console.log(policyTable(results));
      if (results.some((r) => !r.sameBackend))
        console.error(
          'note: some versions were recorded on another backend: the recorded policy reproduces them closely, not bit for bit',
        );
      console.error(
        `replayed in ${seconds.toFixed(1)} s; wrote ${files.json}, ${files.csv}, ${files.table}, ${files.figure}`,
      );
    });
}

interface PolicyRunOptions {
  jobs: number;
  campaign?: string;
  gamma: number;
  backend?: BackendName;
  currentBackend: string;
  onProgress: (policy: string, p: ReplayProgress) => void;
}

/** One policy in this thread; several in worker threads, `jobs` at a time (results in input order). */
async function runPolicies(
  history: ReplayHistory,
  policies: readonly string[],
  o: PolicyRunOptions,
): Promise<ReplayResult[]> {
  const { parseReplayPolicy } = await import('../../sim/replay/policy.ts');
  if (policies.length === 1 || o.jobs <= 1) {
    const { replay } = await import('../../sim/replay/engine.ts');
    const results: ReplayResult[] = [];
    for (const policy of policies)
      results.push(
        await replay(history, {
          policy: parseReplayPolicy(policy),
          backend: o.currentBackend,
          campaign: o.campaign,
          gamma: o.gamma,
          onProgress: (p) => o.onProgress(policy, p),
        }),
      );
    return results;
  }
  const { replayInThread } = await import('../../sim/replay/replay-thread.ts');
  const results = new Array<ReplayResult>(policies.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < policies.length; i = next++) {
      results[i] = await replayInThread(history, policies[i], {
        campaign: o.campaign,
        gamma: o.gamma,
        backend: o.backend,
        onProgress: (p) => o.onProgress(policies[i], p),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, policies.length) }, lane));
  return results;
}
