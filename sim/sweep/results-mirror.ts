import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../experiment/run-folder.ts';
import { readResult, saveResultOnce, type JobResult } from './store.ts';

/**
 * A results folder outlives the sweep folder: every finished job is mirrored as one small
 * file, `<results>/jobs/<job id>.json` (the job id names the config hash and the seed), so
 * that a study can be committed as it runs and resumed on another machine. The sweep folder
 * (runs/sweeps/<name>, with the F0 cache) stays local and can be thrown away.
 */
export const mirrorPath = (results: string, id: string): string => join(results, 'jobs', `${id}.json`);

/** Copies mirrored results the sweep folder lacks into it; returns how many were restored. */
export async function restoreFromMirror(
  results: string,
  dir: string,
  planned: ReadonlySet<string>,
): Promise<number> {
  const files = await readdir(join(results, 'jobs')).catch(() => [] as string[]);
  let restored = 0;
  for (const file of files) {
    if (!file.endsWith('.json')) continue;
    const id = file.slice(0, -'.json'.length);
    // A job of another scale or an older protocol (another config hash) is not this sweep's.
    if (!planned.has(id)) continue;
    const result = JSON.parse(await readFile(join(results, 'jobs', file), 'utf8')) as JobResult;
    if (result.id !== id) throw new Error(`${join(results, 'jobs', file)} holds job ${result.id}, not ${id}`);
    if (await saveResultOnce(dir, result)) restored++;
  }
  return restored;
}

/** Mirrors one finished job of the sweep folder (no-op when it has no result). */
export async function mirrorJob(results: string, dir: string, id: string): Promise<boolean> {
  const result = await readResult(dir, id);
  if (!result) return false;
  await writeAtomic(mirrorPath(results, id), JSON.stringify(result, null, 1) + '\n');
  return true;
}
