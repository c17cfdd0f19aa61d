/**
 * Where a client's TLS trust, certificate and bearer token come from (files, an environment
 * variable, a key to mint tokens with). Only paths and names: the material itself is read where
 * it is used, in the engines' threads, and never reaches logs or results files.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { checkDuration } from '../config/checks.js';
import { ConfigError, describeError } from '../errors.js';
import { securityModeOf, type SecurityMode } from './security-mode.js';

export type TokenSpec =
  | { kind: 'file'; path: string }
  | { kind: 'env'; name: string }
  /** Minted by the generator and re-minted before it expires. */
  | { kind: 'mint'; keyFile: string; claims: Record<string, unknown>; ttlS: number };

export interface ClientCredentials {
  tls: boolean;
  /** PEM file of the CA(s) to trust; null with TLS: the system roots. */
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  /** Name to check the server certificate against (and send as SNI) instead of the target host. */
  serverName: string | null;
  token: TokenSpec | null;
}

/** What a results file may say about a client's security: kinds and names, no paths, no secrets. */
export interface AuthDescriptor {
  token: 'none' | 'file' | 'env' | 'minted';
  /** JWT algorithm of minted tokens (from the signing key), else null. */
  jwtAlg: string | null;
  /** Claim names of minted tokens. */
  jwtClaims: string[];
  jwtTtlS: number | null;
  serverName: string | null;
}

/** The security flags as given (any may be missing or wrong). */
export interface SecurityInput {
  tls?: unknown;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  serverName?: unknown;
  tokenFile?: unknown;
  tokenEnv?: unknown;
  jwtSignKey?: unknown;
  jwtClaims?: unknown;
  jwtTtl?: unknown;
}

export const DEFAULT_JWT_TTL_S = 300;
const MAX_JWT_TTL_S = 7 * 24 * 3600;

const given = (v: unknown): boolean => v !== undefined && v !== null && v !== false;

function readableFile(flag: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${flag} must be a file path, got ${String(value)}`);
  try {
    accessSync(value, constants.R_OK);
  } catch (error) {
    throw new ConfigError(`${flag} ${value}: cannot read the file (${describeError(error)})`);
  }
  return value;
}

function parseClaims(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  let claims: unknown = value;
  if (typeof value === 'string') {
    try {
      claims = JSON.parse(value);
    } catch (error) {
      throw new ConfigError(`--jwt-claims must be a JSON object of claims (e.g. '{"sub":"bench","roles":["bench"]}'), got invalid JSON (${describeError(error)})`);
    }
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new ConfigError(`--jwt-claims must be a JSON object of claims (e.g. '{"sub":"bench","roles":["bench"]}'), got ${JSON.stringify(claims)}`);
  }
  for (const reserved of ['iat', 'exp']) {
    if (reserved in claims) throw new ConfigError(`--jwt-claims must not set "${reserved}": the generator sets it for each token it mints (use --jwt-ttl)`);
  }
  return claims as Record<string, unknown>;
}

/** The JWT algorithm a private key signs with: EC P-256 → ES256, P-384 → ES384, RSA → RS256, Ed25519 → EdDSA. */
export function jwtAlgorithmOfKey(flag: string, path: string): string {
  let key;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new ConfigError(`${flag} ${path}: not a PEM private key (${describeError(error)})`);
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') return 'ES256';
  if (type === 'ec' && curve === 'secp384r1') return 'ES384';
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  throw new ConfigError(`${flag} ${path}: a ${type}${curve ? ` ${curve}` : ''} key cannot sign JWTs here; use an EC P-256/P-384, RSA or Ed25519 key`);
}

/** Validates the client security flags (before anything starts); null when none was given. */
export function resolveClientCredentials(input: SecurityInput): ClientCredentials | null {
  const tokenSources = (['tokenFile', 'tokenEnv', 'jwtSignKey'] as const).filter((k) => given(input[k]));
  if (tokenSources.length > 1) {
    throw new ConfigError(`--token-file, --token-env and --jwt-sign-key are alternative token sources; give one of them, got ${tokenSources.length}`);
  }
  if ((given(input.jwtClaims) || given(input.jwtTtl)) && !given(input.jwtSignKey)) {
    throw new ConfigError('--jwt-claims and --jwt-ttl describe minted tokens: they need --jwt-sign-key FILE');
  }
  if (given(input.cert) !== given(input.key)) throw new ConfigError('--cert and --key go together (the client certificate and its private key for mTLS)');
  const caFile = given(input.ca) ? readableFile('--ca', input.ca) : null;
  const certFile = given(input.cert) ? readableFile('--cert', input.cert) : null;
  const keyFile = given(input.key) ? readableFile('--key', input.key) : null;
  const tls = input.tls === true || caFile !== null || certFile !== null;
  let token: TokenSpec | null = null;
  if (given(input.tokenFile)) token = { kind: 'file', path: readableFile('--token-file', input.tokenFile) };
  if (given(input.tokenEnv)) {
    const name = input.tokenEnv;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConfigError(`--token-env must be an environment variable name, got ${JSON.stringify(name)}`);
    if (!process.env[name]) throw new ConfigError(`--token-env ${name}: the environment variable is not set or empty`);
    token = { kind: 'env', name };
  }
  if (given(input.jwtSignKey)) {
    const keyPath = readableFile('--jwt-sign-key', input.jwtSignKey);
    jwtAlgorithmOfKey('--jwt-sign-key', keyPath);
    const ttlS = given(input.jwtTtl) ? checkDuration('--jwt-ttl', input.jwtTtl, 1, MAX_JWT_TTL_S) : DEFAULT_JWT_TTL_S;
    token = { kind: 'mint', keyFile: keyPath, claims: parseClaims(input.jwtClaims), ttlS };
  }
  const serverName = given(input.serverName) ? String(input.serverName) : null;
  if (serverName !== null && !tls) throw new ConfigError('--server-name names the server certificate to expect: it needs TLS (--tls or --ca)');
  if (token !== null && !tls) {
    throw new ConfigError('a bearer token is only sent over TLS: add --tls (system roots) or --ca FILE');
  }
  if (!tls && token === null) return null;
  return { tls, caFile, certFile, keyFile, serverName, token };
}

export function securityModeOfCredentials(credentials: ClientCredentials | null): SecurityMode {
  if (credentials === null) return 'plaintext';
  return securityModeOf(credentials.tls, credentials.certFile !== null, credentials.token !== null);
}

/** The results-file view of credentials: kinds and claim names only. */
export function describeAuth(credentials: ClientCredentials | null): AuthDescriptor | null {
  if (credentials === null) return null;
  const token = credentials.token;
  return {
    token: token === null ? 'none' : token.kind === 'mint' ? 'minted' : token.kind,
    jwtAlg: token?.kind === 'mint' ? jwtAlgorithmOfKey('--jwt-sign-key', token.keyFile) : null,
    jwtClaims: token?.kind === 'mint' ? ['iat', 'exp', ...Object.keys(token.claims)] : [],
    jwtTtlS: token?.kind === 'mint' ? token.ttlS : null,
    serverName: credentials.serverName,
  };
}
