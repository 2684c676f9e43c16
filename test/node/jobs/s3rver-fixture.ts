import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';

/** An s3rver instance on 127.0.0.1 (port 0) with one bucket, and a signed client for it. */
export interface S3Fixture {
  endpoint: string;
  bucket: string;
  client: AwsClient;
  credentials: { endpoint: string; accessKeyId: string; secretAccessKey: string };
  /** PUTs every file under `dir` as `<prefix><relative path>`. */
  upload(dir: string, prefix?: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts s3rver (an independent S3-compatible server from npm) over `directory`. */
export async function startS3rver(directory: string, bucket = 'lake'): Promise<S3Fixture> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver's built-in account.
  const credentials = { endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new AwsClient({ ...credentials, service: 's3', region: 'us-east-1', retries: 0 });
  return {
    endpoint,
    bucket,
    client,
    credentials,
    async upload(dir, prefix = '') {
      let count = 0;
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const key = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
        const url = `${endpoint}/${bucket}/${`${prefix}${key}`.split('/').map(encodeURIComponent).join('/')}`;
        const answer = await client.fetch(url, { method: 'PUT', body: readFileSync(join(dir, key)) });
        if (!answer.ok) throw new Error(`PUT ${key}: ${answer.status} ${await answer.text()}`);
        count++;
      }
      return count;
    },
    close: () => server.close(),
  };
}
