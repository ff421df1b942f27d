/**
 * The registry on S3 or MinIO. Object stores have no rename, so ordering gives atomicity:
 * each PUT is all-or-nothing, the model files go first, the manifest seals the version, and
 * the pointer is written last. Version numbers skip any prefix already used (even one left
 * incomplete by a crash), so nothing written is ever overwritten.
 */
import { Client } from 'minio';
import type { Readable } from 'node:stream';
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

export interface S3StoreOptions {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export class S3ModelStore implements ModelStore {
  readonly kind = 's3' as const;
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;

  constructor(options: S3StoreOptions) {
    this.client = new Client({
      endPoint: options.endPoint,
      port: options.port,
      useSSL: options.useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
    });
    this.bucket = options.bucket;
    this.region = options.region;
  }

  async init(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket)))
      await this.client.makeBucket(this.bucket, this.region);
  }

  private async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readAll(await this.client.getObject(this.bucket, key));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async put(key: string, data: Uint8Array): Promise<void> {
    await this.client.putObject(this.bucket, key, Buffer.from(data), data.byteLength);
  }

  /** Every v<N> prefix under the model, complete or not. */
  private async usedVersionNumbers(name: string): Promise<number[]> {
    const prefix = `models/${name}/`;
    const numbers: number[] = [];
    const stream = this.client.listObjectsV2(this.bucket, prefix, false);
    for await (const item of stream as AsyncIterable<{ prefix?: string; name?: string }>) {
      const key = item.prefix ?? item.name ?? '';
      const m = /^v(\d+)\/?$/.exec(key.slice(prefix.length));
      if (m) numbers.push(Number(m[1]));
    }
    return [...new Set(numbers)].sort((a, b) => a - b);
  }

  async saveVersion(name: string, draft: VersionDraft): Promise<Manifest> {
    const used = await this.usedVersionNumbers(name);
    const version = (used.at(-1) ?? 0) + 1;
    const dir = versionDir(name, version);
    if (await this.get(`${dir}/${MANIFEST_FILE}`)) throw new Error(`${name} v${version} already exists`);
    const { files, manifest } = buildVersion(name, version, draft);
    for (const [path, data] of Object.entries(files)) await this.put(`${dir}/${path}`, data);
    await this.put(`${dir}/${MANIFEST_FILE}`, encodeJson(manifest));
    return manifest;
  }

  async getManifest(name: string, version: number): Promise<Manifest | undefined> {
    const data = await this.get(`${versionDir(name, version)}/${MANIFEST_FILE}`);
    return data ? manifestSchema.parse(JSON.parse(new TextDecoder().decode(data))) : undefined;
  }

  async listVersions(name: string): Promise<Manifest[]> {
    const out: Manifest[] = [];
    for (const v of await this.usedVersionNumbers(name)) {
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
      const data = await this.get(`${versionDir(name, version)}/${entry.path}`);
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
    await this.put(`models/${name}/${POINTER_FILE}`, encodeJson(pointer));
    return pointer;
  }

  async getPromoted(name: string): Promise<Pointer | undefined> {
    const data = await this.get(`models/${name}/${POINTER_FILE}`);
    return data ? pointerSchema.parse(JSON.parse(new TextDecoder().decode(data))) : undefined;
  }

  async saveOperatorState(name: string, state: unknown): Promise<void> {
    // A PUT replaces an object atomically: readers get the old or the new document.
    await this.put(`models/${name}/${OPERATOR_STATE_FILE}`, encodeJson(state));
  }

  async loadOperatorState(name: string): Promise<unknown> {
    const data = await this.get(`models/${name}/${OPERATOR_STATE_FILE}`);
    return data ? JSON.parse(new TextDecoder().decode(data)) : undefined;
  }
}
