import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExperimentConfig } from './config.ts';
import type { F0Cache, SeedResult } from './runner.ts';

/**
 * A run folder is the contract between the runner, reports and dashboards:
 *   config.json           the validated config (written first)
 *   seeds/seed-<n>.json   one file per finished seed, written as soon as it finishes
 *   results.json, results.csv, plot.svg   written when every seed is done
 * Every write goes to a temporary file that is renamed into place, so a killed run leaves
 * whole files only; a rerun with the same config resumes, another config is refused.
 */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export function configHash(config: ExperimentConfig): string {
  const { name: _name, seeds: _seeds, ...rest } = config;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
}

export interface RunFolder {
  readonly dir: string;
  /** Seeds already finished by an earlier, interrupted run of the same config. */
  readonly finished: Map<number, SeedResult>;
  saveSeed(result: SeedResult): Promise<void>;
}

export async function openRunFolder(dir: string, config: ExperimentConfig): Promise<RunFolder> {
  const configPath = join(dir, 'config.json');
  const hash = configHash(config);
  if (existsSync(configPath)) {
    const previous = JSON.parse(await readFile(configPath, 'utf8')) as { hash?: string };
    if (previous.hash !== hash) {
      throw new Error(
        `${dir} holds a run of another config; choose another --out (runs are never overwritten)`,
      );
    }
  } else {
    await writeAtomic(configPath, JSON.stringify({ hash, config }, null, 2));
  }
  const finished = new Map<number, SeedResult>();
  for (const seed of config.seeds) {
    const path = seedPath(dir, seed);
    if (existsSync(path)) finished.set(seed, JSON.parse(await readFile(path, 'utf8')) as SeedResult);
  }
  return {
    dir,
    finished,
    saveSeed: (result) => writeAtomic(seedPath(dir, result.seed), JSON.stringify(result, null, 2)),
  };
}

function seedPath(dir: string, seed: number): string {
  return join(dir, 'seeds', `seed-${seed}.json`);
}

/** Where `permanence run --save-models` keeps model i of a seed. */
export function modelPath(dir: string, seed: number, index: number): string {
  return join(dir, 'models', `seed-${seed}`, `F${index}.bin`);
}

/** An F0 cache in a folder (default runs/.f0-cache), shared by runs and sweeps. */
export function folderF0Cache(dir: string): F0Cache {
  return {
    load: async (key) => {
      const path = join(dir, `${key}.bin`);
      return existsSync(path) ? new Uint8Array(await readFile(path)) : null;
    },
    save: (key, bytes) => writeAtomic(join(dir, `${key}.bin`), bytes),
  };
}
