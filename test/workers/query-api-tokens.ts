import { createHash } from 'node:crypto';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** The query API's tokens in the workerd tests (the Worker's QUERY_TOKENS and the local stack's). */
export const QUERY_TOKENS = [
  { name: 'tenant', sha256: sha256('qapi-tenant'), namespaces: ['https://*.qapi.test'] },
  { name: 'admin', sha256: sha256('qapi-admin'), namespaces: ['*'], admin: true },
];
