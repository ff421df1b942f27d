/**
 * The registry on S3 or MinIO. Object stores have no rename, so ordering gives atomicity:
 * each PUT is all-or-nothing, the model files go first, the manifest seals the version, and
 * the pointer is written last. Version numbers skip any prefix already used (even one left
 * incomplete by a crash), so nothing written is ever overwritten.
 */
import { Client } from 'minio';
import type { Readable } from 'node:stream';
import { buildVersion, encodeJson } from './checksum.ts';
import { KeyedModelStore } from './keyed-store.ts';
import { MANIFEST_FILE, versionDir, type Manifest, type VersionDraft } from './model-store.ts';

export interface S3StoreOptions {
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

const PROBE_KEY = '.write-probe';

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export class S3ModelStore extends KeyedModelStore {
  readonly kind = 's3' as const;
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;

  constructor(options: S3StoreOptions) {
    super();
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

  protected async read(key: string): Promise<Uint8Array | undefined> {
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

  /** A PUT replaces an object atomically: readers get the old or the new bytes. */
  protected replace(key: string, data: Uint8Array): Promise<void> {
    return this.put(key, data);
  }

  /** Every v<N> prefix under the model, complete or not. */
  protected async versionNumbers(name: string): Promise<number[]> {
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

  /** PUTs and removes a small object: fails when the bucket refuses writes (quota, policy). */
  async probeWritable(): Promise<void> {
    await this.put(PROBE_KEY, new Uint8Array(16));
    await this.client.removeObject(this.bucket, PROBE_KEY);
  }

  /** The manifest goes first: from then on the version is incomplete and never listed. */
  async deleteVersion(name: string, version: number): Promise<void> {
    const dir = versionDir(name, version);
    await this.client.removeObject(this.bucket, `${dir}/${MANIFEST_FILE}`);
    const keys: string[] = [];
    const stream = this.client.listObjectsV2(this.bucket, `${dir}/`, true);
    for await (const item of stream as AsyncIterable<{ name?: string }>) if (item.name) keys.push(item.name);
    if (keys.length > 0) await this.client.removeObjects(this.bucket, keys);
  }

  async saveVersion(name: string, draft: VersionDraft): Promise<Manifest> {
    const used = await this.versionNumbers(name);
    const version = (used.at(-1) ?? 0) + 1;
    const dir = versionDir(name, version);
    if (await this.read(`${dir}/${MANIFEST_FILE}`)) throw new Error(`${name} v${version} already exists`);
    const { files, manifest } = buildVersion(name, version, draft);
    for (const [path, data] of Object.entries(files)) await this.put(`${dir}/${path}`, data);
    await this.put(`${dir}/${MANIFEST_FILE}`, encodeJson(manifest));
    return manifest;
  }
}
