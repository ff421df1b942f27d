/**
 * What both registries share: versions, the pointer and the operator state are objects at
 * fixed keys (`models/<name>/...`), so reading manifests, verifying versions and moving the
 * pointer are the same everywhere. A storage backend supplies four primitives: read a key,
 * replace a mutable key atomically, list the version numbers in use, and write a whole
 * version atomically (each in its own way: rename on disk, ordered PUTs on S3).
 */
import { recordPromotion } from './aliases.ts';
import { encodeJson, verifyVersion } from './checksum.ts';
import {
  DOCUMENT_PATH,
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

export abstract class KeyedModelStore implements ModelStore {
  /** The tail of each document's chain of updates, so that they run one at a time. */
  private readonly documentQueue = new Map<string, Promise<unknown>>();
  abstract readonly kind: ModelStore['kind'];
  abstract init(): Promise<void>;
  abstract saveVersion(name: string, draft: VersionDraft): Promise<Manifest>;

  /** The bytes at `key`, or undefined if there is no such object. */
  protected abstract read(key: string): Promise<Uint8Array | undefined>;
  /** Replaces the object at `key` so that readers see the old or the new bytes, never a mix. */
  protected abstract replace(key: string, data: Uint8Array): Promise<void>;
  /** Version numbers whose prefix or folder exists (complete or not), ascending. */
  protected abstract versionNumbers(name: string): Promise<number[]>;

  private async readJson(key: string): Promise<unknown> {
    const data = await this.read(key);
    return data === undefined ? undefined : JSON.parse(new TextDecoder().decode(data));
  }

  async getManifest(name: string, version: number): Promise<Manifest | undefined> {
    const json = await this.readJson(`${versionDir(name, version)}/${MANIFEST_FILE}`);
    return json === undefined ? undefined : manifestSchema.parse(json);
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
      const data = await this.read(`${versionDir(name, version)}/${entry.path}`);
      if (data) files[entry.path] = data;
    }
    return verifyVersion(manifest, files);
  }

  async promote(name: string, version: number, step: number, reason: Pointer['reason']): Promise<Pointer> {
    const manifest = await this.getManifest(name, version);
    if (!manifest) throw new VersionNotFoundError(`${name} v${version} does not exist`);
    if (manifest.status === 'rejected')
      throw new Error(`${name} v${version} was rejected and cannot be promoted`);
    const pointer: Pointer = { name, version, step, promotedAt: new Date().toISOString(), reason };
    await this.replace(`models/${name}/${POINTER_FILE}`, encodeJson(pointer));
    // After the pointer, which is the promotion: if this write fails (or the process dies
    // first) the aliases are reconciled with the pointer when read (aliases.ts), so the
    // promotion must not be reported as failed for it.
    await recordPromotion(this, name, pointer).catch(() => undefined);
    return pointer;
  }

  async getPromoted(name: string): Promise<Pointer | undefined> {
    const json = await this.readJson(`models/${name}/${POINTER_FILE}`);
    return json === undefined ? undefined : pointerSchema.parse(json);
  }

  async saveOperatorState(name: string, state: unknown): Promise<void> {
    await this.replace(`models/${name}/${OPERATOR_STATE_FILE}`, encodeJson(state));
  }

  loadOperatorState(name: string): Promise<unknown> {
    return this.readJson(`models/${name}/${OPERATOR_STATE_FILE}`);
  }

  loadDocument(name: string, path: string): Promise<unknown> {
    return this.readJson(documentKey(name, path));
  }

  async updateDocument<T>(name: string, path: string, update: (current: unknown) => T): Promise<T> {
    const key = documentKey(name, path);
    const run = async () => {
      const next = update(await this.readJson(key));
      await this.replace(key, encodeJson(next));
      return next;
    };
    const tail = this.documentQueue.get(key) ?? Promise.resolve();
    const result = tail.then(run, run);
    const settled = result.catch(() => undefined);
    this.documentQueue.set(key, settled);
    void settled.then(() => {
      if (this.documentQueue.get(key) === settled) this.documentQueue.delete(key);
    });
    return result;
  }
}

function documentKey(name: string, path: string): string {
  if (!DOCUMENT_PATH.test(path)) throw new Error(`not a registry document path: ${path}`);
  return `models/${name}/${path}`;
}
