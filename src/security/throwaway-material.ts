/**
 * The certificates and signing key of --security runs against the embedded server: made once per
 * process into a private temporary directory (removed when the process exits), then handed to
 * the server as `serve` flags and to the generator as client credentials.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CERT_DAYS, DEFAULT_CLIENT_NAME, generateSecurityMaterial, SECURITY_FILES, writeSecurityMaterial, type SecurityFileRole } from './certs.js';
import type { ClientCredentials } from './client-credentials.js';
import { usesClientCertificate, usesJwt, usesTls, type SecurityMode } from './security-mode.js';
import { THROWAWAY_AUDIENCE, THROWAWAY_CLAIMS, THROWAWAY_ISSUER, THROWAWAY_ROLE, THROWAWAY_TTL_S } from './throwaway-auth.js';

export type MaterialFiles = Record<SecurityFileRole, string>;

let made: Promise<MaterialFiles> | undefined;

/** The throwaway material's files (made on first use). */
export function throwawayMaterial(): Promise<MaterialFiles> {
  made ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsb-security-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    writeSecurityMaterial(dir, await generateSecurityMaterial({ hosts: [], days: DEFAULT_CERT_DAYS, clientName: DEFAULT_CLIENT_NAME }), { force: false });
    return Object.fromEntries(Object.entries(SECURITY_FILES).map(([role, name]) => [role, join(dir, name)])) as MaterialFiles;
  })();
  return made;
}

/** `serve` flags that secure the embedded server for `mode`. */
export function serverSecurityArgs(mode: SecurityMode, files: MaterialFiles): string[] {
  const args: string[] = [];
  if (usesTls(mode)) args.push('--tls-cert', files.server, '--tls-key', files.serverKey);
  if (usesClientCertificate(mode)) args.push('--tls-client-ca', files.ca);
  if (usesJwt(mode)) args.push('--jwt-public-key', files.jwtPublic, '--jwt-issuer', THROWAWAY_ISSUER, '--jwt-audience', THROWAWAY_AUDIENCE, '--require-role', THROWAWAY_ROLE);
  return args;
}

/** The generator's credentials against that server. */
export function throwawayCredentials(mode: SecurityMode, files: MaterialFiles): ClientCredentials | null {
  if (!usesTls(mode)) return null;
  const mtls = usesClientCertificate(mode);
  return {
    tls: true,
    caFile: files.ca,
    certFile: mtls ? files.client : null,
    keyFile: mtls ? files.clientKey : null,
    serverName: null,
    token: usesJwt(mode) ? { kind: 'mint', keyFile: files.jwtPrivate, claims: THROWAWAY_CLAIMS, ttlS: THROWAWAY_TTL_S } : null,
  };
}
