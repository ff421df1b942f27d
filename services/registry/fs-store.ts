/**
 * The embedded registry: a folder on the local disk. A version is staged in a hidden folder,
 * fsynced, then renamed to `v<N>` in one step, so a crash leaves either a complete version or
 * a stray staging folder (removed at the next init). The pointer is replaced by rename too.
 * A version is removed by renaming it to a hidden trash folder first, so it disappears from
 * listings in one step whatever happens to the recursive delete.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildVersion, encodeJson } from './checksum.ts';
import { KeyedModelStore } from './keyed-store.ts';
import { MANIFEST_FILE, versionDir, type Manifest, type VersionDraft } from './model-store.ts';

const STAGING_PREFIX = '.staging-';
const TRASH_PREFIX = '.trash-';
const PROBE_FILE = '.write-probe.tmp';

/** Leftovers of interrupted writes and deletes, removed at start. */
function isLeftover(entry: string): boolean {
  return entry.startsWith(STAGING_PREFIX) || entry.startsWith(TRASH_PREFIX) || entry.endsWith('.tmp');
}

async function writeDurable(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export class FsModelStore extends KeyedModelStore {
  readonly kind = 'fs' as const;

  constructor(private readonly root: string) {
    super();
  }

  /**
   * Creates the folder and removes leftovers of interrupted writes. On a read-only or full
   * disk the leftovers stay (removing them would fail too): reading still works, and
   * probeWritable() tells the service to serve read-only.
   */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'models'), { recursive: true });
    for (const name of await readdir(join(this.root, 'models'))) {
      const dir = join(this.root, 'models', name);
      for (const entry of await readdir(dir).catch(() => [] as string[])) {
        if (isLeftover(entry))
          await rm(join(dir, entry), { recursive: true, force: true }).catch(() => undefined);
      }
    }
    await rm(join(this.root, PROBE_FILE), { force: true }).catch(() => undefined);
  }

  /** Writes, fsyncs and removes a small file: fails on a read-only mount or a full disk. */
  async probeWritable(): Promise<void> {
    const path = join(this.root, PROBE_FILE);
    try {
      await writeDurable(path, new Uint8Array(4096));
    } finally {
      await rm(path, { force: true }).catch(() => undefined);
    }
  }

  async deleteVersion(name: string, version: number): Promise<void> {
    const dir = this.modelDir(name);
    const trash = join(dir, `${TRASH_PREFIX}${version}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(join(this.root, versionDir(name, version)), trash);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await syncDir(dir);
    await rm(trash, { recursive: true, force: true });
  }

  private modelDir(name: string): string {
    return join(this.root, 'models', name);
  }

  protected async versionNumbers(name: string): Promise<number[]> {
    let entries: string[];
    try {
      entries = await readdir(this.modelDir(name));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return entries
      .map((e) => /^v(\d+)$/.exec(e))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  async saveVersion(name: string, draft: VersionDraft): Promise<Manifest> {
    const dir = this.modelDir(name);
    await mkdir(dir, { recursive: true });
    const numbers = await this.versionNumbers(name);
    const version = (numbers.at(-1) ?? 0) + 1;
    const { files, manifest } = buildVersion(name, version, draft);
    const staging = join(dir, `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`);
    await mkdir(staging);
    try {
      for (const [path, data] of Object.entries(files)) await writeDurable(join(staging, path), data);
      await writeDurable(join(staging, MANIFEST_FILE), encodeJson(manifest));
      await syncDir(staging);
      // rename(2) refuses a non-empty target, so an existing version is never overwritten.
      await rename(staging, join(this.root, versionDir(name, version)));
      await syncDir(dir);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    return manifest;
  }

  protected async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.root, key)));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Write-then-rename: readers see the old file or the new one, never a torn one. */
  protected async replace(key: string, data: Uint8Array): Promise<void> {
    const path = join(this.root, key);
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeDurable(tmp, data);
      await rename(tmp, path);
    } catch (err) {
      // A full disk fails the write half-way: leave no partial temp file behind.
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await syncDir(dir);
  }
}
