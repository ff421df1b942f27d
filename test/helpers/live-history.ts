/**
 * Records a live history for replay (docs/replay.md): update cycles run by hand on a started
 * service, with one BadNets campaign (20% of an update, target class 0) created before one of
 * them. The replay tests and scripts/replay-demo-history.ts record their histories this way.
 */
import type { CampaignInput } from '../../services/loop/campaigns.ts';
import type { RunningService } from '../../services/service.ts';

export interface HistoryPlan {
  /** Update cycles to run; F0 is v1, so they write v2 to v<cycles + 1>. */
  readonly cycles: number;
  readonly campaign: {
    /** Created before this cycle (0: before the first, which writes v2). */
    readonly before: number;
    readonly mode: CampaignInput['mode'];
    /** Updates it poisons (1 for one-shot). */
    readonly cycles: number;
  };
}

/** One recorded cycle, as the loop reported it. */
export interface RecordedCycle {
  readonly version: number | undefined;
  readonly step: number;
  readonly schedule: string;
  readonly seconds: number;
  readonly cleanAccuracy: number | undefined;
  /** The campaign's ASR; undefined before the campaign exists. */
  readonly asr: number | undefined;
}

export interface RecordedHistory {
  /** The campaign's id. */
  readonly campaign: string;
  readonly cycles: readonly RecordedCycle[];
}

/**
 * Waits for the service's F0, then runs `plan.cycles` cycles, each of which must succeed
 * (a rejected or failed update would leave a different history than the caller expects).
 */
export async function recordLiveHistory(
  service: Pick<RunningService, 'ready' | 'loop'>,
  plan: HistoryPlan,
  onCycle: (cycle: RecordedCycle) => void = () => {},
): Promise<RecordedHistory> {
  await service.ready;
  let campaign = '';
  const cycles: RecordedCycle[] = [];
  for (let i = 0; i < plan.cycles; i++) {
    if (i === plan.campaign.before) {
      const { mode, cycles: poisoned } = plan.campaign;
      campaign = (
        await service.loop.createCampaign({
          trigger: { kind: 'badnets' },
          ratio: 0.2,
          target: 0,
          mode,
          cycles: poisoned,
        })
      ).id;
    }
    const report = await service.loop.runCycle('admin');
    if (!('outcome' in report) || report.outcome !== 'success')
      throw new Error(`cycle ${i + 1} of ${plan.cycles} did not succeed: ${JSON.stringify(report)}`);
    const cycle: RecordedCycle = {
      version: report.version,
      step: report.step,
      schedule: report.schedule,
      seconds: report.seconds,
      cleanAccuracy: report.evaluation?.cleanAccuracy,
      asr: campaign ? report.evaluation?.asr[campaign] : undefined,
    };
    cycles.push(cycle);
    onCycle(cycle);
  }
  return { campaign, cycles };
}
