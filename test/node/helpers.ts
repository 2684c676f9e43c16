import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS_SCHEMA_VERSION, type EventRow } from '../../schemas/index.ts';

/** A fresh temporary directory and its removal. */
export async function tempDir(prefix = 'dotdo-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A valid global event row; `seq` varies the identity, `overrides` anything else. */
export function eventFixture(seq: number, overrides: Partial<EventRow> = {}): EventRow {
  const ns = 'https://acme.startups.studio';
  return {
    schema_version: EVENTS_SCHEMA_VERSION,
    id: `${ns}/events/inc-1/${seq}`,
    ns,
    incarnation: 'inc-1',
    seq,
    ts: 1_764_000_000_000_000 + seq * 1_234_567,
    event: 'Startup.updated',
    verb: 'updated',
    action: 'update',
    type: `${ns}/Startup`,
    target: `${ns}/acme`,
    actor: seq % 2 ? null : 'https://auth.startups.studio/users/nathan',
    durability: 'try',
    status: 'completed',
    branch: null,
    input_version: seq > 1 ? `${ns}/acme@v${seq - 1}` : null,
    output_version: `${ns}/acme@v${seq}`,
    data: { seq, name: `Acme ${seq}`, tags: ['a', 'ü', '𝄞'] },
    error: null,
    request_id: `req-${seq}`,
    session_id: null,
    workflow_id: null,
    correlation_id: null,
    started_at: null,
    completed_at: null,
    duration_ms: seq / 4,
    prev_hash: null,
    hash: null,
    ...overrides,
  };
}

/** POSTs a JSON body (or raw text) and returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
