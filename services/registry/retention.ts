/**
 * The retention policy: the registry keeps the promoted version, the operator's choices
 * in the pointer history (rollbacks and recoveries, and the last entry: what a recovery
 * falls back to when the pointer is lost), every version something refers to (a campaign's poisoned updates; other features register their own providers), and the
 * newest `recent` versions. Everything else is removed, oldest first.
 */
import type { ModelStore } from './model-store.ts';

/** Versions some part of the service still needs (e.g. a campaign's, a replay's). */
export type ReferencedVersions = (name: string) => Iterable<number> | Promise<Iterable<number>>;

/** The version numbers to remove: not among the newest `recent`, not kept. Pure. */
export function versionsToRemove(
  numbers: readonly number[],
  kept: ReadonlySet<number>,
  recent: number,
): number[] {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted.slice(0, Math.max(0, sorted.length - recent)).filter((v) => !kept.has(v));
}

export interface PruneOptions {
  recent: number;
  referenced: readonly ReferencedVersions[];
  /** Lists what would be removed without removing it. */
  dryRun?: boolean;
}

type Store = Pick<ModelStore, 'listVersionNumbers' | 'getPromoted' | 'getPointerHistory' | 'deleteVersion'>;

/** Applies the policy; returns the removed (or, dry, removable) versions. */
export async function pruneVersions(store: Store, name: string, options: PruneOptions): Promise<number[]> {
  const numbers = await store.listVersionNumbers(name);
  if (numbers.length <= options.recent) return [];
  // A damaged pointer fails here: nothing is removed until it is recovered.
  const pointer = await store.getPromoted(name);
  const history = await store.getPointerHistory(name);
  const kept = new Set<number>(
    history.filter((p) => p.reason === 'rollback' || p.reason === 'recovered').map((p) => p.version),
  );
  const last = history.at(-1);
  if (last) kept.add(last.version);
  if (pointer) kept.add(pointer.version);
  for (const provider of options.referenced) for (const v of await provider(name)) kept.add(v);
  const remove = versionsToRemove(numbers, kept, options.recent);
  if (!options.dryRun) for (const v of remove) await store.deleteVersion(name, v);
  return remove;
}
