import type { Argv } from 'yargs';
import { credentialsFromOptions, type ClientSecurityOptions, type Unchecked } from '../config/run-options.js';
import type { ClientCredentials } from '../security/client-credentials.js';

/** The client's TLS and token flags, shared by chat, run, sweep and check. */
export interface SecurityFlags {
  tls: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  'server-name'?: string;
  'token-file'?: string;
  'token-env'?: string;
  'jwt-sign-key'?: string;
  'jwt-claims'?: string;
  'jwt-ttl'?: string;
}

export function withSecurityFlags<T>(y: Argv<T>): Argv<T & SecurityFlags> {
  const text = { type: 'string' as const, requiresArg: true };
  return y
    .option('tls', { type: 'boolean', default: false, describe: 'TLS to an external --target, trusting the system roots (or --ca)' })
    .option('ca', { ...text, describe: 'TLS: PEM file of the CA(s) to trust (implies --tls)' })
    .option('cert', { ...text, describe: 'mTLS: client certificate PEM file (with --key)' })
    .option('key', { ...text, describe: 'mTLS: client private key PEM file (with --cert)' })
    .option('server-name', { ...text, describe: 'TLS: name the server certificate must carry (when the target is an IP address or another name)' })
    .option('token-file', { ...text, describe: 'Bearer token: read from this file, sent with every call' })
    .option('token-env', { ...text, describe: 'Bearer token: read from this environment variable' })
    .option('jwt-sign-key', { ...text, describe: 'Bearer token: mint JWTs with this PEM private key (ES256/ES384/RS256/EdDSA), re-minted before they expire' })
    .option('jwt-claims', { ...text, describe: 'Claims of minted tokens, a JSON object (e.g. \'{"sub":"bench","roles":["bench"]}\')' })
    .option('jwt-ttl', { ...text, describe: 'Lifetime of minted tokens (90s, 5m, 2h) [default: 5m]' }) as Argv<T & SecurityFlags>;
}

/** The security flags as API options (camelCase), unchecked. */
export function securityOptionsFromFlags(f: SecurityFlags): Unchecked<ClientSecurityOptions> {
  return {
    tls: f.tls,
    ca: f.ca,
    cert: f.cert,
    key: f.key,
    serverName: f['server-name'],
    tokenFile: f['token-file'],
    tokenEnv: f['token-env'],
    jwtSignKey: f['jwt-sign-key'],
    jwtClaims: f['jwt-claims'],
    jwtTtl: f['jwt-ttl'],
  };
}

/** Validated client credentials from the flags; null when none was given. */
export function credentialsFromFlags(f: SecurityFlags): ClientCredentials | null {
  return credentialsFromOptions(securityOptionsFromFlags(f));
}
