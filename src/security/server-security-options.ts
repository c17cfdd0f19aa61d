import { checkInteger } from '../config/checks.js';
import { ConfigError } from '../errors.js';
import { createJwtVerifier, type AuthVerifier } from './jwt-verifier.js';
import { importVerificationKeys, parseAlgorithmList } from './jwt-verification-keys.js';
import { checkServerTls, type PemFile, type ServerTlsOptions } from './server-tls.js';

/** The security flags of `serve`, as yargs hands them over (a repeated flag is an array). */
export interface ServeSecurityFlags {
  'tls-cert'?: unknown;
  'tls-key'?: unknown;
  'tls-client-ca'?: unknown;
  'jwt-public-key'?: unknown;
  'jwt-secret-file'?: unknown;
  'jwt-issuer'?: unknown;
  'jwt-audience'?: unknown;
  'jwt-algorithms'?: unknown;
  'require-role'?: unknown;
  'roles-claim'?: unknown;
  'jwt-clock-tolerance'?: unknown;
}

export interface ServerSecurity {
  tls: ServerTlsOptions | undefined;
  auth: AuthVerifier | undefined;
}

/** Reads the file a flag names; throws a ConfigError naming both when it cannot. */
export type ReadFlagFile = (flag: string, path: string) => Buffer;

export const DEFAULT_ROLES_CLAIM = 'roles';
export const DEFAULT_CLOCK_TOLERANCE_S = 5;
const MAX_CLOCK_TOLERANCE_S = 3600;

const JWT_DEPENDENT_FLAGS = ['jwt-issuer', 'jwt-audience', 'jwt-algorithms', 'require-role', 'roles-claim', 'jwt-clock-tolerance'] as const;

function single(flags: ServeSecurityFlags, name: keyof ServeSecurityFlags): string | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ConfigError(`--${name} was given ${value.length} times; give it once`);
  const text = String(value);
  if (text.trim() === '') throw new ConfigError(`--${name} must not be empty`);
  return text;
}

/**
 * Checks the security flags (combinations first, then every file) and imports what they name,
 * once: the TLS material and a JWT verifier. Every problem is a ConfigError, before any listening.
 */
export async function resolveServerSecurity(flags: ServeSecurityFlags, readFile: ReadFlagFile): Promise<ServerSecurity> {
  const text = (name: keyof ServeSecurityFlags): string | undefined => single(flags, name);
  const tlsCert = text('tls-cert');
  const tlsKey = text('tls-key');
  const tlsClientCa = text('tls-client-ca');
  const publicKey = text('jwt-public-key');
  const secretFile = text('jwt-secret-file');

  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError(`--tls-cert and --tls-key go together: ${tlsCert === undefined ? '--tls-cert' : '--tls-key'} is missing`);
  }
  if (tlsClientCa !== undefined && tlsCert === undefined) {
    throw new ConfigError('--tls-client-ca (mTLS) needs TLS: give --tls-cert and --tls-key too');
  }
  if (publicKey !== undefined && secretFile !== undefined) {
    throw new ConfigError('give either --jwt-public-key or --jwt-secret-file, not both');
  }
  const hasKey = publicKey !== undefined || secretFile !== undefined;
  for (const name of JWT_DEPENDENT_FLAGS) {
    if (!hasKey && text(name) !== undefined) throw new ConfigError(`--${name} needs a JWT key: give --jwt-public-key or --jwt-secret-file`);
  }
  if (text('roles-claim') !== undefined && text('require-role') === undefined) {
    throw new ConfigError('--roles-claim names where --require-role looks: give --require-role too');
  }
  const algorithmsText = text('jwt-algorithms');
  const algorithms = algorithmsText === undefined ? undefined : parseAlgorithmList(algorithmsText);
  const toleranceText = text('jwt-clock-tolerance');
  const clockToleranceS = toleranceText === undefined ? DEFAULT_CLOCK_TOLERANCE_S : checkInteger('--jwt-clock-tolerance', toleranceText, 0, MAX_CLOCK_TOLERANCE_S, ' (seconds)');

  let tls: ServerTlsOptions | undefined;
  if (tlsCert !== undefined && tlsKey !== undefined) {
    const pem = (flag: string, path: string): PemFile => ({ path, content: readFile(flag, path) });
    tls = checkServerTls({
      cert: pem('--tls-cert', tlsCert),
      key: pem('--tls-key', tlsKey),
      ...(tlsClientCa === undefined ? {} : { clientCa: pem('--tls-client-ca', tlsClientCa) }),
    });
  }

  let auth: AuthVerifier | undefined;
  if (hasKey) {
    const file =
      publicKey !== undefined
        ? { flag: '--jwt-public-key' as const, path: publicKey, content: readFile('--jwt-public-key', publicKey) }
        : { flag: '--jwt-secret-file' as const, path: secretFile as string, content: readFile('--jwt-secret-file', secretFile as string) };
    auth = createJwtVerifier({
      keys: await importVerificationKeys(file, algorithms),
      issuer: text('jwt-issuer'),
      audience: text('jwt-audience'),
      clockToleranceS,
      requiredRole: text('require-role'),
      rolesClaim: text('roles-claim') ?? DEFAULT_ROLES_CLAIM,
    });
  }
  return { tls, auth };
}
