/**
 * The embedded registry: a folder on the local disk. A version is staged in a hidden folder,
 * fsynced, then renamed to `v<N>` in one step, so a crash leaves either a complete version or
 * a stray staging folder (removed at the next init). The pointer is replaced by rename too.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildVersion, encodeJson, verifyVersion } from './checksum.ts';
import {
  MANIFEST_FILE,
  OPERATOR_STATE_FILE,
  POINTER_FILE,
  VersionNotFoundError,
  manifestSchema,
  pointerSchema,
  versionDir,
  type LoadedVersion,
  type Manifest,
  type ModelStore,
  type Pointer,
  type VersionDraft,
} from './model-store.ts';

const STAGING_PREFIX = '.staging-';

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

export class FsModelStore implements ModelStore {
  readonly kind = 'fs' as const;

  constructor(private readonly root: string) {}

  async init(): Promise<void> {
    await mkdir(join(this.root, 'models'), { recursive: true });
    for (const name of await readdir(join(this.root, 'models'))) {
      const dir = join(this.root, 'models', name);
      for (const entry of await readdir(dir).catch(() => [] as string[])) {
        if (entry.startsWith(STAGING_PREFIX) || entry.endsWith('.tmp')) {
          await rm(join(dir, entry), { recursive: true, force: true });
        }
      }
    }
  }

  private modelDir(name: string): string {
    return join(this.root, 'models', name);
  }

  private async versionNumbers(name: string): Promise<number[]> {
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

  async getManifest(name: string, version: number): Promise<Manifest | undefined> {
    try {
      const text = await readFile(join(this.root, versionDir(name, version), MANIFEST_FILE), 'utf8');
      return manifestSchema.parse(JSON.parse(text));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async listVersions(name: string): Promise<Manifest[]> {
    const out: Manifest[] = [];
    for (const v of await this.versionNumbers(name)) {
      const m = await this.getManifest(name, v);
      if (m) out.push(m);
    }
    return out;
  }

  async loadVersion(name: string, version: number): Promise<LoadedVersion> {
    const manifest = await this.getManifest(name, version);
    if (!manifest) throw new VersionNotFoundError(`${name} v${version} does not exist`);
    const files: Record<string, Uint8Array> = {};
    for (const entry of manifest.files) {
      try {
        files[entry.path] = new Uint8Array(
          await readFile(join(this.root, versionDir(name, version), entry.path)),
        );
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    return verifyVersion(manifest, files);
  }

  async promote(name: string, version: number, step: number, reason: Pointer['reason']): Promise<Pointer> {
    const manifest = await this.getManifest(name, version);
    if (!manifest) throw new VersionNotFoundError(`${name} v${version} does not exist`);
    if (manifest.status === 'rejected')
      throw new Error(`${name} v${version} was rejected and cannot be promoted`);
    const pointer: Pointer = { name, version, step, promotedAt: new Date().toISOString(), reason };
    await this.replaceFile(name, POINTER_FILE, encodeJson(pointer));
    return pointer;
  }

  async getPromoted(name: string): Promise<Pointer | undefined> {
    const text = await this.readOptional(name, POINTER_FILE);
    return text === undefined ? undefined : pointerSchema.parse(JSON.parse(text));
  }

  async saveOperatorState(name: string, state: unknown): Promise<void> {
    await mkdir(this.modelDir(name), { recursive: true });
    await this.replaceFile(name, OPERATOR_STATE_FILE, encodeJson(state));
  }

  async loadOperatorState(name: string): Promise<unknown> {
    const text = await this.readOptional(name, OPERATOR_STATE_FILE);
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** Write-then-rename: readers see the old file or the new one, never a torn one. */
  private async replaceFile(name: string, file: string, data: Uint8Array): Promise<void> {
    const dir = this.modelDir(name);
    const tmp = join(dir, `${file}.${randomBytes(6).toString('hex')}.tmp`);
    await writeDurable(tmp, data);
    await rename(tmp, join(dir, file));
    await syncDir(dir);
  }

  private async readOptional(name: string, file: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.modelDir(name), file), 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
}
