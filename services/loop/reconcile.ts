/**
 * Replays promotions the operator state does not know of. A crash between a cycle's pointer
 * write and its operator-state write leaves a campaign pending although its poison is in the
 * served model's lineage. Each version's metrics.json names the campaigns it carried, and
 * each campaign records the versions it poisoned, so walking the lineage back records every
 * injection once (by version): a one-shot campaign is never injected a second time.
 */
import { isDamage } from '../registry/recovery.ts';
import type { LoadedVersion, ModelStore } from '../registry/model-store.ts';
import { isInjecting, type Campaigns } from './campaigns.ts';

/** Longest lineage walked (the walk also stops at the oldest injecting campaign). */
const MAX_WALK = 1000;

/** The campaign ids a version's metrics.json says it carried. */
export function carriedCampaigns(metrics: Record<string, unknown>): string[] {
  const poison = Array.isArray(metrics.poison) ? (metrics.poison as { campaign?: unknown }[]) : [];
  return poison.map((p) => p.campaign).filter((id): id is string => typeof id === 'string');
}

/** Records the missed injections in `campaigns`; returns how many versions needed it. */
export async function replayMissedInjections(
  store: Pick<ModelStore, 'loadVersion'>,
  name: string,
  servedVersion: number,
  campaigns: Campaigns,
): Promise<number> {
  const injecting = campaigns.injecting();
  if (injecting.length === 0) return 0;
  const since = injecting.map((c) => c.createdAt).sort()[0];
  const lineage: LoadedVersion[] = [];
  let version: number | null = servedVersion;
  for (let i = 0; version !== null && i < MAX_WALK; i++) {
    let loaded: LoadedVersion;
    try {
      loaded = await store.loadVersion(name, version);
    } catch (err) {
      if (isDamage(err)) break;
      throw err;
    }
    // Versions older than every injecting campaign cannot carry one.
    if (loaded.manifest.createdAt < since) break;
    lineage.push(loaded);
    version = loaded.manifest.parentVersion;
  }
  let replayed = 0;
  for (const v of lineage.reverse()) {
    const missed = carriedCampaigns(v.metrics).filter((id) => {
      const c = campaigns.get(id);
      return c !== undefined && isInjecting(c) && !c.injectedVersions.includes(v.manifest.version);
    });
    if (missed.length === 0) continue;
    campaigns.recordPromoted(v.manifest.step, v.manifest.version, missed, {});
    replayed++;
  }
  return replayed;
}
