import { readFileSync } from 'node:fs';
import type { ClientTls } from '../engine/transport.js';
import type { ClientCredentials } from './client-credentials.js';

/** The TLS material of client credentials, read from their files; null for plaintext. */
export function loadClientTls(credentials: ClientCredentials | null): ClientTls | null {
  if (credentials === null || !credentials.tls) return null;
  const read = (path: string | null): Buffer | null => (path === null ? null : readFileSync(path));
  return { ca: read(credentials.caFile), cert: read(credentials.certFile), key: read(credentials.keyFile), serverName: credentials.serverName };
}
