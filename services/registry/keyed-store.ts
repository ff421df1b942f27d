/**
 * What both registries share: versions, the pointer and the operator state are objects at
 * fixed keys (`models/<name>/...`), so reading manifests, verifying versions and moving the
 * pointer are the same everywhere. A storage backend supplies its primitives: read a key,
 * replace a mutable key atomically, list the version numbers in use, write a whole version
 * atomically and remove one (each in its own way: rename on disk, ordered PUTs on S3).
 */
import { z } from 'zod';
import { recordPromotion } from './aliases.ts';
import { encodeJson, verifyVersion } from './checksum.ts';
import {
  CorruptFileError,
  DOCUMENT_PATH,
  MANIFEST_FILE,
  OPERATOR_STATE_FILE,
  POINTER_FILE,
  POINTER_HISTORY_FILE,
  POINTER_HISTORY_LENGTH,
  VersionNotFoundError,
  manifestSchema,
  pointerSchema,
  versionDir,
  type LoadedVersion,
  type Manifest,
  type ModelStore,
  type Pointer,
  type VersionDraft,
  type VersionPage,
} from './model-store.ts';

const historySchema = z.object({ format: z.literal(1), pointers: z.array(pointerSchema) });

export abstract class KeyedModelStore implements ModelStore {
  /** The tail of each document's chain of updates, so that they run one at a time. */
  private readonly documentQueue = new Map<string, Promise<unknown>>();
  abstract readonly kind: ModelStore['kind'];
  abstract init(): Promise<void>;
  abstract saveVersion(name: string, draft: VersionDraft): Promise<Manifest>;
  abstract deleteVersion(name: string, version: number): Promise<void>;
  abstract probeWritable(): Promise<void>;

  /** The bytes at `key`, or undefined if there is no such object. */
  protected abstract read(key: string): Promise<Uint8Array | undefined>;
  /** Replaces the object at `key` so that readers see the old or the new bytes, never a mix. */
  protected abstract replace(key: string, data: Uint8Array): Promise<void>;
  /** Version numbers whose prefix or folder exists (complete or not), ascending. */
  protected abstract versionNumbers(name: string): Promise<number[]>;

  private async readJson(key: string): Promise<unknown> {
    const data = await this.read(key);
    if (data === undefined) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(data));
    } catch {
      throw new CorruptFileError(key, `not valid JSON (${data.byteLength} bytes)`);
    }
  }

  /** The document at `key` checked against `schema`; CorruptFileError naming the first issue. */
  private async readDoc<T>(key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const json = await this.readJson(key);
    if (json === undefined) return undefined;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CorruptFileError(key, `${issue?.path.join('.') || 'document'}: ${issue?.message}`);
    }
    return parsed.data;
  }

  listVersionNumbers(name: string): Promise<number[]> {
    return this.versionNumbers(name);
  }

  async getManifest(name: string, version: number): Promise<Manifest | undefined> {
    const key = `${versionDir(name, version)}/${MANIFEST_FILE}`;
    const manifest = await this.readDoc(key, manifestSchema);
    if (manifest && (manifest.version !== version || manifest.name !== name))
      throw new CorruptFileError(key, `describes ${manifest.name} v${manifest.version}`);
    return manifest;
  }

  /** The manifest, or undefined when it is missing or damaged (listings skip such versions). */
  private async manifestOrSkip(name: string, version: number): Promise<Manifest | undefined> {
    try {
      return await this.getManifest(name, version);
    } catch (err) {
      if (err instanceof CorruptFileError) return undefined;
      throw err;
    }
  }

  async listVersions(name: string): Promise<Manifest[]> {
    const out: Manifest[] = [];
    for (const v of await this.versionNumbers(name)) {
      const m = await this.manifestOrSkip(name, v);
      if (m) out.push(m);
    }
    return out;
  }

  async listPage(name: string, limit: number, before: number | null): Promise<VersionPage> {
    const numbers = (await this.versionNumbers(name)).filter((v) => before === null || v < before).reverse();
    const versions: Manifest[] = [];
    let i = 0;
    for (; i < numbers.length && versions.length < limit; i++) {
      const m = await this.manifestOrSkip(name, numbers[i]);
      if (m) versions.push(m);
    }
    return { versions, next: i < numbers.length ? numbers[i - 1] : null };
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

  /** Appends to the pointer history, then moves the pointer (the history is never behind it). */
  async promote(name: string, version: number, step: number, reason: Pointer['reason']): Promise<Pointer> {
    const manifest = await this.getManifest(name, version);
    if (!manifest) throw new VersionNotFoundError(`${name} v${version} does not exist`);
    if (manifest.status === 'rejected')
      throw new Error(`${name} v${version} was rejected and cannot be promoted`);
    const pointer: Pointer = { name, version, step, promotedAt: new Date().toISOString(), reason };
    const pointers = [...(await this.getPointerHistory(name)), pointer].slice(-POINTER_HISTORY_LENGTH);
    await this.replace(`models/${name}/${POINTER_HISTORY_FILE}`, encodeJson({ format: 1, pointers }));
    await this.replace(`models/${name}/${POINTER_FILE}`, encodeJson(pointer));
    // After the pointer, which is the promotion: if this write fails (or the process dies
    // first) the aliases are reconciled with the pointer when read (aliases.ts), so the
    // promotion must not be reported as failed for it.
    await recordPromotion(this, name, pointer).catch(() => undefined);
    return pointer;
  }

  getPromoted(name: string): Promise<Pointer | undefined> {
    return this.readDoc(`models/${name}/${POINTER_FILE}`, pointerSchema);
  }

  async getPointerHistory(name: string): Promise<Pointer[]> {
    try {
      return (await this.readDoc(`models/${name}/${POINTER_HISTORY_FILE}`, historySchema))?.pointers ?? [];
    } catch (err) {
      // A damaged history is only a lost hint: the next promotion starts a new one.
      if (err instanceof CorruptFileError) return [];
      throw err;
    }
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
