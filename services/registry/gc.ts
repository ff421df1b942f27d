/**
 * `permanence registry gc`: the retention policy (retention.ts) applied to a filesystem
 * registry from the command line, with the campaigns of its operator.json as references.
 * Safe beside a running service: it removes only versions the service would also prune.
 */
import { operatorStateSchema } from '../loop/operator-state.ts';
import { FsModelStore } from './fs-store.ts';
import { pruneVersions, type ReferencedVersions } from './retention.ts';

export interface GcOptions {
  dataDir: string;
  model: string;
  keepRecent: number;
  dryRun: boolean;
}

export interface GcResult {
  removed: number[];
  kept: number;
}

export async function gcRegistry(o: GcOptions): Promise<GcResult> {
  const store = new FsModelStore(o.dataDir);
  const stored = await store.loadOperatorState(o.model);
  // Without a readable operator state the campaigns' versions are unknown: keep everything.
  const parsed = stored === undefined ? undefined : operatorStateSchema.safeParse(stored);
  if (parsed && !parsed.success)
    throw new Error(
      `models/${o.model}/operator.json is not valid: cannot tell which versions campaigns need`,
    );
  const campaigns: ReferencedVersions = () =>
    (parsed?.data.campaigns ?? []).flatMap((c) => c.injectedVersions);
  const removed = await pruneVersions(store, o.model, {
    recent: o.keepRecent,
    referenced: [campaigns],
    dryRun: o.dryRun,
  });
  const total = (await store.listVersionNumbers(o.model)).length;
  return { removed, kept: o.dryRun ? total - removed.length : total };
}
