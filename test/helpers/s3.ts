import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './server.ts';

const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** An S3 server (s3rver, on disk) with one bucket, and Scrible storing its files there. */
export interface S3Setup {
  bucket: string;
  /** A client on the same S3, to look at what Scrible stored. */
  readonly s3: S3Client;
  readonly server: TestServer;
}

/**
 * Starts s3rver with `bucket` and a test server with `S3_BUCKET` set for the file's
 * tests (beforeAll), and stops both afterwards.
 */
export function useS3Server(bucket: string): S3Setup {
  let s3Dir: string | undefined;
  let s3Server: S3rver | undefined;
  let s3: S3Client | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    s3Dir = mkdtempSync(path.join(tmpdir(), 'scrible-s3-'));
    s3Server = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true });
    const { port } = await s3Server.run();
    const endpoint = `http://127.0.0.1:${port}`;
    s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    server = await startTestServer({
      env: {
        S3_BUCKET: bucket,
        S3_ENDPOINT: endpoint,
        S3_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await server?.storage.drop();
    s3?.destroy();
    await s3Server?.close();
    if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
  });
  return {
    bucket,
    get s3() {
      if (!s3) throw new Error('S3 is not started yet (use it inside a test)');
      return s3;
    },
    get server() {
      if (!server) throw new Error('the server is not started yet (use it inside a test)');
      return server;
    },
  };
}
