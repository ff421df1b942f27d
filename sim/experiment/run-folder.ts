import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { configHash } from './config-hash.ts';
import { parseExperimentConfig, type ExperimentConfig } from './config.ts';
import type { F0Cache, SeedResult } from './runner.ts';

export { configHash } from './config-hash.ts';

/**
 * A run folder is the contract between the runner, reports and dashboards:
 *   config.json           the validated config (written first; a valid `permanence run --config`)
 *   seeds/seed-<n>.json   one file per finished seed, written as soon as it finishes
 *   results.json, results.csv, plot.svg   written when every seed is done
 * Every write goes to a temporary file that is fsynced and renamed into place, so a killed
 * run or a power cut leaves whole files only; a rerun with the same config resumes, another
 * config is refused.
 */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, typeof data === 'string' ? data : Buffer.from(data));
}

/**
 * The config fields of a run folder's config.json. Folders written before config.json became
 * a plain config hold `{ hash, config }`; both are read, so old runs still resume and rerun.
 */
export function unwrapStoredConfig(json: unknown): unknown {
  const legacy =
    typeof json === 'object' &&
    json !== null &&
    'hash' in json &&
    'config' in json &&
    Object.keys(json).length === 2;
  return legacy ? (json as { config: unknown }).config : json;
}

/** The validated config a run folder's config.json holds. */
export function storedConfig(json: unknown): ExperimentConfig {
  return parseExperimentConfig(unwrapStoredConfig(json));
}

/** The config of the run folder `dir`. */
export async function readRunConfig(dir: string): Promise<ExperimentConfig> {
  return storedConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
}

export interface RunFolder {
  readonly dir: string;
  /** Seeds already finished by an earlier, interrupted run of the same config. */
  readonly finished: Map<number, SeedResult>;
  saveSeed(result: SeedResult): Promise<void>;
}

export async function openRunFolder(dir: string, config: ExperimentConfig): Promise<RunFolder> {
  const configPath = join(dir, 'config.json');
  if (existsSync(configPath)) {
    const previous = storedConfig(JSON.parse(await readFile(configPath, 'utf8')));
    if (configHash(previous) !== configHash(config)) {
      throw new Error(
        `${dir} holds a run of another config; choose another --out (runs are never overwritten)`,
      );
    }
  } else {
    await writeAtomic(configPath, JSON.stringify(config, null, 2));
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
