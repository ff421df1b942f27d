/** A real S3 server (s3rver) on loopback for the S3 store's tests; it ignores signatures. */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

export interface RunningS3 {
  port: number;
  stop(): Promise<void>;
}

/** Starts s3rver storing under `directory`; port 0 picks a free one. */
export async function startS3rver(directory: string, port = 0, buckets: string[] = []): Promise<RunningS3> {
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    port: address.port,
    stop: async () => {
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

export const S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' };
