import { createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { importJWK, importSPKI, type CryptoKey, type JWK } from 'jose';
import { ConfigError, describeError } from '../errors.js';

/*
 * The keys a server verifies JWTs with, imported once at start-up (never per stream):
 *   - a PEM SPKI public key (`--jwt-public-key key.pem`): one CryptoKey per allowed algorithm;
 *   - a JWKS JSON file (`--jwt-public-key keys.json`): every usable key, per allowed algorithm,
 *     found by the token's `kid` and `alg`;
 *   - an HMAC secret (`--jwt-secret-file`): imported as a non-extractable HMAC CryptoKey (jose
 *     would re-import a Uint8Array secret on every verification).
 * Everything wrong with a file or a flag is a ConfigError naming the flag, the file and what is wrong.
 */

/** Algorithms a server may allow (`none` never is). */
export const JWS_ALGORITHMS = [
  'ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519', 'HS256', 'HS384', 'HS512',
] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** What a key is, as far as choosing algorithms goes. */
type KeyShape = 'EC P-256' | 'EC P-384' | 'EC P-521' | 'RSA' | 'RSA-PSS' | 'Ed25519' | 'secret';

const SHAPES_OF: Record<JwsAlgorithm, readonly KeyShape[]> = {
  ES256: ['EC P-256'],
  ES384: ['EC P-384'],
  ES512: ['EC P-521'],
  RS256: ['RSA'],
  RS384: ['RSA'],
  RS512: ['RSA'],
  PS256: ['RSA', 'RSA-PSS'],
  PS384: ['RSA', 'RSA-PSS'],
  PS512: ['RSA', 'RSA-PSS'],
  EdDSA: ['Ed25519'],
  Ed25519: ['Ed25519'],
  HS256: ['secret'],
  HS384: ['secret'],
  HS512: ['secret'],
};

const DEFAULT_ALGORITHM: Record<KeyShape, JwsAlgorithm> = {
  'EC P-256': 'ES256',
  'EC P-384': 'ES384',
  'EC P-521': 'ES512',
  RSA: 'RS256',
  'RSA-PSS': 'PS256',
  Ed25519: 'EdDSA',
  secret: 'HS256',
};

const HMAC_HASH: Partial<Record<JwsAlgorithm, { hash: string; minBytes: number }>> = {
  HS256: { hash: 'SHA-256', minBytes: 32 },
  HS384: { hash: 'SHA-384', minBytes: 48 },
  HS512: { hash: 'SHA-512', minBytes: 64 },
};

const MIN_RSA_BITS = 2048;

/** The contents of the key file a flag named (the CLI reads it). */
export interface JwtKeyFile {
  flag: '--jwt-public-key' | '--jwt-secret-file';
  path: string;
  content: Buffer;
}

export interface VerificationKeys {
  /** The algorithms a token may use, as the server allows them (in the order given). */
  algorithms: readonly JwsAlgorithm[];
  /** For a start-up line, e.g. "ES256 (EC P-256 public key)". */
  description: string;
  /** Keys that may have signed a token with this header (empty: none fits). */
  candidates(header: { alg?: unknown; kid?: unknown }): readonly CryptoKey[];
}

interface KeyEntry {
  alg: JwsAlgorithm;
  kid: string | undefined;
  key: CryptoKey;
}

function isAlgorithm(name: string): name is JwsAlgorithm {
  return (JWS_ALGORITHMS as readonly string[]).includes(name);
}

/** `--jwt-algorithms ES256,PS256` → the list; every name checked. */
export function parseAlgorithmList(text: string): JwsAlgorithm[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.length === 0 || names.some((name) => name === '')) {
    throw new ConfigError(`--jwt-algorithms must be a comma-separated list of algorithms (e.g. ES256 or ES256,RS256), got "${text}"`);
  }
  const list: JwsAlgorithm[] = [];
  for (const name of names) {
    if (name.toLowerCase() === 'none') throw new ConfigError('--jwt-algorithms: "none" (unsigned tokens) is never allowed');
    if (!isAlgorithm(name)) throw new ConfigError(`--jwt-algorithms: unknown algorithm "${name}"; known: ${JWS_ALGORITHMS.join(', ')}`);
    if (!list.includes(name)) list.push(name);
  }
  return list;
}

/** Imports the keys of a `--jwt-public-key` or `--jwt-secret-file` file for the allowed algorithms (default: the key's own). */
export async function importVerificationKeys(file: JwtKeyFile, algorithms: readonly JwsAlgorithm[] | undefined): Promise<VerificationKeys> {
  if (file.flag === '--jwt-secret-file') return importSecret(file, algorithms);
  const text = file.content.toString('utf8');
  if (text.trimStart().startsWith('{')) return importJwks(file, text, algorithms);
  return importPem(file, text, algorithms);
}

function where(file: JwtKeyFile): string {
  return `${file.flag} ${file.path}`;
}

function algorithmsFor(file: JwtKeyFile, shape: KeyShape, given: readonly JwsAlgorithm[] | undefined): readonly JwsAlgorithm[] {
  const algorithms = given ?? [DEFAULT_ALGORITHM[shape]];
  for (const alg of algorithms) {
    if (SHAPES_OF[alg].includes(shape)) continue;
    const fits = JWS_ALGORITHMS.filter((a) => SHAPES_OF[a].includes(shape)).join(', ');
    if (shape === 'secret') throw new ConfigError(`--jwt-algorithms ${alg} needs a public key (--jwt-public-key); ${where(file)} is an HMAC secret (fits ${fits})`);
    if (alg.startsWith('HS')) throw new ConfigError(`--jwt-algorithms ${alg} needs an HMAC secret (--jwt-secret-file); ${where(file)} is a public key (${shape}; fits ${fits})`);
    throw new ConfigError(`--jwt-algorithms ${alg} does not fit the key in ${where(file)} (${shape}; fits ${fits})`);
  }
  return algorithms;
}

function checkRsaSize(file: JwtKeyFile, key: CryptoKey, which: string): void {
  const bits = (key.algorithm as { modulusLength?: number }).modulusLength;
  if (bits !== undefined && bits < MIN_RSA_BITS) {
    throw new ConfigError(`${where(file)}: ${which} is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
  }
}

function pemShape(key: KeyObject): KeyShape | string {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return 'EC P-256';
      if (curve === 'secp384r1') return 'EC P-384';
      if (curve === 'secp521r1') return 'EC P-521';
      return `EC ${curve ?? 'unknown curve'}`;
    }
    case 'rsa':
      return 'RSA';
    case 'rsa-pss':
      return 'RSA-PSS';
    case 'ed25519':
      return 'Ed25519';
    default:
      return String(key.asymmetricKeyType);
  }
}

function isShape(shape: string): shape is KeyShape {
  return Object.hasOwn(DEFAULT_ALGORITHM, shape);
}

async function importPem(file: JwtKeyFile, text: string, given: readonly JwsAlgorithm[] | undefined): Promise<VerificationKeys> {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    throw new ConfigError(`${where(file)} holds a private key; give the public key (PEM "BEGIN PUBLIC KEY", e.g. openssl pkey -pubout)`);
  }
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${where(file)} holds a certificate; give its public key (openssl x509 -pubkey -noout -in ${file.path})`);
  }
  if (text.includes('-----BEGIN RSA PUBLIC KEY-----')) {
    throw new ConfigError(`${where(file)} holds a PKCS#1 RSA public key; convert it to SPKI (openssl rsa -RSAPublicKey_in -pubout -in ${file.path})`);
  }
  const pem = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/.exec(text)?.[0];
  if (pem === undefined) {
    throw new ConfigError(`${where(file)} is neither a PEM public key ("-----BEGIN PUBLIC KEY-----") nor a JWKS JSON file ({ "keys": [...] })`);
  }
  let shape: string;
  try {
    shape = pemShape(createPublicKey(pem));
  } catch (error: unknown) {
    throw new ConfigError(`${where(file)}: cannot parse the PEM public key (${describeError(error)})`);
  }
  if (!isShape(shape) || shape === 'secret') {
    throw new ConfigError(`${where(file)}: unsupported key type ${shape}; use an EC P-256/P-384/P-521, RSA or Ed25519 key`);
  }
  const algorithms = algorithmsFor(file, shape, given);
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    let key: CryptoKey;
    try {
      key = await importSPKI(pem, alg);
    } catch (error: unknown) {
      throw new ConfigError(`${where(file)}: cannot import the ${shape} key for ${alg} (${describeError(error)})`);
    }
    checkRsaSize(file, key, 'the key');
    keys.set(alg, key);
  }
  return {
    algorithms,
    description: `${algorithms.join(', ')} (${shape} public key)`,
    candidates: ({ alg }) => {
      const key = typeof alg === 'string' ? keys.get(alg) : undefined;
      return key === undefined ? [] : [key];
    },
  };
}

function jwkShape(jwk: Record<string, unknown>): KeyShape | string {
  if (jwk.kty === 'EC') return `EC ${String(jwk.crv)}`;
  if (jwk.kty === 'RSA') return 'RSA';
  if (jwk.kty === 'OKP') return String(jwk.crv);
  return `kty ${String(jwk.kty)}`;
}

async function importJwks(file: JwtKeyFile, text: string, given: readonly JwsAlgorithm[] | undefined): Promise<VerificationKeys> {
  let set: unknown;
  try {
    set = JSON.parse(text);
  } catch (error: unknown) {
    throw new ConfigError(`${where(file)} is not valid JSON (${describeError(error)})`);
  }
  const list = (set as { keys?: unknown } | null)?.keys;
  if (typeof set !== 'object' || set === null || !Array.isArray(list)) {
    throw new ConfigError(`${where(file)}: a JWKS file must be a JSON object with a "keys" array`);
  }
  if (list.length === 0) throw new ConfigError(`${where(file)}: the JWKS has no keys`);

  // The usable signature-verification keys, checked one by one.
  const usable: Array<{ jwk: Record<string, unknown>; shape: KeyShape; label: string }> = [];
  list.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ConfigError(`${where(file)}: keys[${index}] is not an object`);
    const jwk = item as Record<string, unknown>;
    const label = `keys[${index}]${typeof jwk.kid === 'string' ? ` (kid "${jwk.kid}")` : ''}`;
    if (jwk.kty === 'oct') throw new ConfigError(`${where(file)}: ${label} is a symmetric (oct) key; give an HMAC secret with --jwt-secret-file instead`);
    if ('d' in jwk) throw new ConfigError(`${where(file)}: ${label} is a private key; a JWKS for verification holds public keys only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') return;
    if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return;
    const shape = jwkShape(jwk);
    if (!isShape(shape) || shape === 'secret') {
      throw new ConfigError(`${where(file)}: ${label} has an unsupported key type (${shape}); use EC P-256/P-384/P-521, RSA or Ed25519 keys`);
    }
    if (jwk.alg !== undefined) {
      if (typeof jwk.alg !== 'string' || !isAlgorithm(jwk.alg) || jwk.alg.startsWith('HS')) {
        throw new ConfigError(`${where(file)}: ${label} has an unsupported "alg" ${JSON.stringify(jwk.alg)}`);
      }
      if (!SHAPES_OF[jwk.alg].includes(shape)) throw new ConfigError(`${where(file)}: ${label} says "alg": "${jwk.alg}", which does not fit its ${shape} key`);
    } else if (given === undefined) {
      throw new ConfigError(`${where(file)}: ${label} has no "alg"; name the algorithms with --jwt-algorithms`);
    }
    usable.push({ jwk, shape, label });
  });
  if (usable.length === 0) throw new ConfigError(`${where(file)}: no key is usable for signature verification (all have "use" or "key_ops" for something else)`);

  const algorithms = given ?? [...new Set(usable.map(({ jwk }) => jwk.alg as JwsAlgorithm))];
  const entries: KeyEntry[] = [];
  for (const alg of algorithms) {
    if (alg.startsWith('HS')) throw new ConfigError(`--jwt-algorithms ${alg} needs an HMAC secret (--jwt-secret-file); ${where(file)} is a JWKS of public keys`);
    const fitting = usable.filter(({ jwk, shape }) => (jwk.alg === undefined || jwk.alg === alg) && SHAPES_OF[alg].includes(shape));
    if (fitting.length === 0) {
      const have = usable.map(({ label, shape, jwk }) => `${label} ${shape}${typeof jwk.alg === 'string' ? ` ${jwk.alg}` : ''}`).join('; ');
      throw new ConfigError(`--jwt-algorithms names ${alg}, but no key in ${where(file)} fits it (${have})`);
    }
    for (const { jwk, label } of fitting) {
      let key: CryptoKey;
      try {
        key = (await importJWK(jwk as JWK, alg)) as CryptoKey;
      } catch (error: unknown) {
        throw new ConfigError(`${where(file)}: cannot import ${label} for ${alg} (${describeError(error)})`);
      }
      checkRsaSize(file, key, label);
      entries.push({ alg, kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, key });
    }
  }
  return {
    algorithms,
    description: `${algorithms.join(', ')} (JWKS, ${entries.length} key${entries.length === 1 ? '' : 's'})`,
    // As jose's local JWKS: the algorithm must match, and a token's kid must name the key.
    candidates: ({ alg, kid }) => entries.filter((e) => e.alg === alg && (kid === undefined || e.kid === kid)).map((e) => e.key),
  };
}

/** The secret: the file's bytes with one trailing newline (LF or CRLF) removed. */
export function secretBytes(content: Buffer): Buffer {
  if (content.at(-1) !== 0x0a) return content;
  return content.subarray(0, content.length - (content.at(-2) === 0x0d ? 2 : 1));
}

async function importSecret(file: JwtKeyFile, given: readonly JwsAlgorithm[] | undefined): Promise<VerificationKeys> {
  const bytes = secretBytes(file.content);
  const algorithms = algorithmsFor(file, 'secret', given);
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    const { hash, minBytes } = HMAC_HASH[alg] as { hash: string; minBytes: number };
    if (bytes.length < minBytes) {
      throw new ConfigError(`${where(file)}: the secret is ${bytes.length} bytes; ${alg} needs at least ${minBytes} (after one trailing newline is removed)`);
    }
    keys.set(alg, (await webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash }, false, ['verify'])) as CryptoKey);
  }
  return {
    algorithms,
    description: `${algorithms.join(', ')} (${bytes.length}-byte HMAC secret)`,
    candidates: ({ alg }) => {
      const key = typeof alg === 'string' ? keys.get(alg) : undefined;
      return key === undefined ? [] : [key];
    },
  };
}
