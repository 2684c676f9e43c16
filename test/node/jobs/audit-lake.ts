import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningWorker, startWorker } from '../../../cli/dev/start-worker.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';

/** An Ed25519 key pair for the tests, as the Worker's secret and as the published public key. */
export async function auditKeyPair(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
  return {
    secret: JSON.stringify({ ...jwk, kid }),
    publicKey: { kid, kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x! },
  };
}

/**
 * An ingest proxy that acknowledges every request and silently keeps only some records of the events
 * stream (a sink that drops), passing everything else through unchanged.
 */
export async function startDroppingProxy(
  target: string,
  drop: (record: Record<string, unknown>, index: number) => boolean,
): Promise<{ url: string; dropped: number; close(): Promise<void> }> {
  let seen = 0;
  const state = { dropped: 0 };
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    if (request.url?.endsWith('/events')) {
      const records = JSON.parse(body) as Record<string, unknown>[];
      const kept = records.filter((record) => {
        const dropped = drop(record, seen++);
        if (dropped) state.dropped++;
        return !dropped;
      });
      body = JSON.stringify(kept);
    }
    const answer = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers: { 'content-type': 'application/json' },
      body,
    });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get dropped() {
      return state.dropped;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What {@link writeAuditLake} wrote. */
export interface AuditLake<P> {
  stack: LocalStack;
  proxy: P | undefined;
  close(): Promise<void>;
}

/**
 * Writes a real lake through the stack: the example Worker's Startup objects in workerd record
 * `events` actions per namespace and flush (events and signed checkpoints) to the Pipelines stand-in
 * (through `ingestUrl` when given, e.g. a dropping proxy), which rolls them into Parquet.
 */
export async function writeAuditLake<P extends { url: string; close(): Promise<void> }>(config: {
  dataDir: string;
  namespaces: string[];
  events: number;
  /** Seed and flush in this many parts, rolling after each: a data file per part. */
  parts?: number;
  checkpointEvery: number;
  signingKey?: string;
  /** The Worker's QUERY_TOKENS (the query API's and its other routes' tokens), as JSON. */
  queryTokens?: string;
  proxy?: (stackUrl: string) => Promise<P>;
  /** Runs with the Worker still up, once the lake is written. */
  withWorker?: (worker: RunningWorker) => Promise<void>;
}): Promise<AuditLake<P>> {
  const stack = await startLocalStack({
    dataDir: config.dataDir,
    port: 0,
    pipelines: { rollIntervalMs: 3_600_000 },
  });
  const proxy = config.proxy ? await config.proxy(stack.url) : undefined;
  const worker = await startWorker({
    dataDir: `${config.dataDir}/worker`,
    port: 0,
    ingestUrl: `${proxy?.url ?? stack.url}/streams`,
    persist: false,
    vars: {
      FLUSH_DELAY_MS: '3600000',
      CHECKPOINT_EVERY: String(config.checkpointEvery),
      R2_SQL_ENDPOINT: stack.url,
      R2_ACCOUNT_ID: 'local',
      LAKE_BUCKET: 'lake',
      ...(config.signingKey ? { AUDIT_SIGNING_KEY: config.signingKey } : {}),
      ...(config.queryTokens ? { QUERY_TOKENS: config.queryTokens } : {}),
    },
  });
  try {
    const parts = config.parts ?? 1;
    for (let part = 0; part < parts; part++) {
      for (const ns of config.namespaces) {
        const host = new URL(ns).host;
        const count = config.events / parts;
        const seeded = await worker.miniflare.dispatchFetch(`${worker.url}/ns/${host}/seed`, {
          method: 'POST',
          body: JSON.stringify({ count }),
        });
        if (seeded.status !== 200) throw new Error(`seed ${ns}: ${seeded.status} ${await seeded.text()}`);
        const flushed = await worker.miniflare.dispatchFetch(`${worker.url}/ns/${host}/flush`, {
          method: 'POST',
        });
        if (flushed.status !== 200) throw new Error(`flush ${ns}: ${flushed.status} ${await flushed.text()}`);
      }
      stack.pipelines.roll();
    }
    await config.withWorker?.(worker);
  } finally {
    await worker.close();
    await proxy?.close();
  }
  return { stack, proxy, close: () => stack.close() };
}
