/**
 * The scripted scenario of `npm run demo` and of the end-to-end test, driven only through
 * the public HTTP API: inject a BadNets poison with the admin API, watch its ASR on /metrics
 * under SGD updates, switch the schedule to STLR, watch it fall. Every number is read from
 * /metrics (drift step, ASR, the schedule label of the promoted model).
 */
import { createAdminClient, type AdminClient } from './client/admin-client.ts';
import { METRICS } from './contract.ts';

export interface ScenarioOptions {
  url: string;
  adminToken: string;
  /** The API client to drive the service with (default: one for url and adminToken). */
  client?: AdminClient;
  /** Poison share of the update batch (default 0.2). */
  ratio?: number;
  /**
   * Updates the campaign poisons (default 2, a persistent campaign). Under nearest-neighbour
   * rotation (torchvision's default) a 3x3 BadNets patch planted in one short live update
   * (48 steps) fades within one or two SGD cycles; poisoning two updates lasts longer (the
   * paper's finding 7), which gives the demo a few SGD cycles to watch.
   */
  cycles?: number;
  /** SGD updates to watch after the poisoned one (default 3). */
  sgdUpdates?: number;
  /** STLR updates to watch (default 2). */
  stlrUpdates?: number;
  stlrSchedule?: string;
  log?: (line: string) => void;
  /** Gives up after this long (default 10 min). */
  timeoutMs?: number;
}

export interface ObservedModel {
  step: number;
  version: number;
  schedule: string;
  cleanAccuracy: number;
  asr: number;
}

export interface ScenarioResult {
  campaign: string;
  poisonedStep: number;
  /** Every promoted model seen on /metrics from the poisoned update on, by drift step. */
  models: ObservedModel[];
  asrAfterInjection: number;
  sgdAsr: number[];
  stlrAsr: number[];
  /** The scenario's three claims (docs/service.md). */
  checks: { injected: boolean; survivesSgd: boolean; stlrRemoves: boolean };
}

function sample(
  text: string,
  name: string,
  labelFilter?: (labels: string) => boolean,
): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([^{ ]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (labelFilter && !labelFilter(m[2] ?? '')) continue;
    out.push({ labels: m[2] ?? '', value: Number(m[3]) });
  }
  return out;
}

/** The promoted model as /metrics shows it, with the ASR of one campaign. */
export function readModel(text: string, campaign: string): ObservedModel | undefined {
  const info = sample(text, METRICS.modelInfo)[0];
  const step = sample(text, METRICS.driftStep)[0];
  const acc = sample(text, METRICS.cleanAccuracy)[0];
  const asr = sample(text, METRICS.attackSuccess, (l) => l.includes(`campaign="${campaign}"`))[0];
  if (!info || !step || !acc || !asr) return undefined;
  const version = /model_version="(\d+)"/.exec(info.labels);
  const schedule = /schedule="([^"]+)"/.exec(info.labels);
  return {
    step: step.value,
    version: Number(version?.[1]),
    schedule: schedule?.[1] ?? '',
    cleanAccuracy: acc.value,
    asr: asr.value,
  };
}

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const log = o.log ?? (() => undefined);
  const deadline = Date.now() + (o.timeoutMs ?? 600_000);
  const sgdUpdates = o.sgdUpdates ?? 3;
  const stlrUpdates = o.stlrUpdates ?? 2;
  const stlrSchedule = o.stlrSchedule ?? 'stlr:0.5';
  const api = o.client ?? createAdminClient({ url: o.url, adminToken: o.adminToken });
  const pause = () => new Promise((r) => setTimeout(r, 250));

  while (!(await api.ready())) {
    if (Date.now() > deadline) throw new Error('service never became ready');
    await pause();
  }
  log(`service ready at ${o.url}`);

  const cycles = o.cycles ?? 2;
  const mode = cycles > 1 ? 'persistent' : 'one-shot';
  const campaign = await api.poison({
    attack: 'badnets',
    ratio: o.ratio ?? 0.2,
    target: 0,
    mode,
    ...(cycles > 1 ? { cycles } : {}),
  });
  const id = campaign.id;
  log(`poison campaign ${id} injected (BadNets 3x3, ratio ${o.ratio ?? 0.2}, target 0, ${mode} x${cycles})`);

  // The step the poison went into, from the campaign record (the metrics carry no step of injection).
  let poisonedStep = 0;
  while (poisonedStep === 0) {
    if (Date.now() > deadline) throw new Error('poison was never injected');
    poisonedStep = (await api.campaign(id)).injectedSteps[0] ?? 0;
    if (poisonedStep === 0) await pause();
  }

  const lastPoisoned = poisonedStep + cycles - 1;
  const models = new Map<number, ObservedModel>();
  let switched = false;
  const stlrSteps = () => [...models.values()].filter((m) => m.schedule.startsWith('stlr'));
  while (stlrSteps().length < stlrUpdates) {
    if (Date.now() > deadline) throw new Error('scenario timed out');
    const m = readModel(await api.metrics(), id);
    if (m && m.step >= poisonedStep && !models.has(m.step)) {
      models.set(m.step, m);
      log(
        `step ${m.step}  v${m.version}  ${m.schedule.padEnd(13)} clean accuracy ${m.cleanAccuracy.toFixed(3)}  ASR ${m.asr.toFixed(3)}`,
      );
    }
    const sgdSeen = [...models.values()].filter(
      (x) => x.step > lastPoisoned && !x.schedule.startsWith('stlr'),
    ).length;
    if (!switched && sgdSeen >= sgdUpdates) {
      await api.setSchedule(stlrSchedule);
      switched = true;
      log(`schedule switched to ${stlrSchedule} (mitigation)`);
    }
    await pause();
  }

  const list = [...models.values()].sort((a, b) => a.step - b.step);
  const asrAfterInjection = list.find((m) => m.step === lastPoisoned)?.asr ?? Number.NaN;
  const sgdAsr = list
    .filter((m) => m.step > lastPoisoned && !m.schedule.startsWith('stlr'))
    .map((m) => m.asr);
  const stlrAsr = list
    .filter((m) => m.schedule.startsWith('stlr'))
    .slice(0, stlrUpdates)
    .map((m) => m.asr);
  return {
    campaign: id,
    poisonedStep,
    models: list,
    asrAfterInjection,
    sgdAsr,
    stlrAsr,
    checks: {
      injected: asrAfterInjection >= 0.9,
      survivesSgd: sgdAsr.length >= sgdUpdates && sgdAsr.every((a) => a > 0.5),
      stlrRemoves: stlrAsr.some((a) => a < 0.5),
    },
  };
}
