/** Picks the registry implementation named by the configuration. */
import type { ServiceConfig } from '../config.ts';
import { FsModelStore } from './fs-store.ts';
import type { ModelStore } from './model-store.ts';
import { S3ModelStore } from './s3-store.ts';

export function createModelStore(config: ServiceConfig): ModelStore {
  if (config.REGISTRY === 'fs') return new FsModelStore(config.DATA_DIR);
  return new S3ModelStore({
    endPoint: config.S3_ENDPOINT,
    port: config.S3_PORT,
    useSSL: config.S3_USE_SSL,
    accessKey: config.S3_ACCESS_KEY ?? '',
    secretKey: config.S3_SECRET_KEY ?? '',
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
}
