import { decodeProtectedHeader, errors, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { VerificationKeys } from './jwt-verification-keys.js';
import { AUTH_REASON, jwtRejectionReason, roleRequiredReason, type AuthStatusName } from './jwt-rejection-reason.js';

export interface JwtVerifierOptions {
  keys: VerificationKeys;
  /** Required `iss`, if any. */
  issuer: string | undefined;
  /** Required `aud` (the token's may be a list that contains it), if any. */
  audience: string | undefined;
  /** Seconds of clock skew allowed for exp / nbf. */
  clockToleranceS: number;
  /** A role the token must carry, if any. */
  requiredRole: string | undefined;
  /** The claim holding the roles: an array of strings or one space-separated string. */
  rolesClaim: string;
}

/** What the server does with a stream: let it through (with the verified subject) or refuse it. */
export type AuthDecision = { accepted: true; subject: string | undefined } | { accepted: false; code: AuthStatusName; reason: string };

/** Decides on a call from its `authorization` metadata; never throws or rejects. */
export interface AuthVerifier {
  authorize(authorization: readonly unknown[]): Promise<AuthDecision>;
  /** For a start-up line, e.g. "JWT ES256 (EC P-256 public key), issuer …, role bench". */
  description: string;
}

/** Longer bearer values are refused before any parsing (grpc-js limits headers to 16 KiB anyway). */
const MAX_TOKEN_CHARS = 8192;
const BEARER = /^Bearer +(\S+) *$/i;
const PRINTABLE_SUBJECT = /^[\x20-\x7e]{1,1024}$/;

/** The token of the one `authorization: Bearer <token>` value, or why there is none. */
export function parseBearer(values: readonly unknown[]): { token: string } | { reason: string } {
  if (values.length === 0) return { reason: AUTH_REASON.missingBearer };
  const value = values[0];
  if (values.length > 1 || typeof value !== 'string') return { reason: AUTH_REASON.malformedHeader };
  const token = BEARER.exec(value)?.[1];
  if (token === undefined) return { reason: AUTH_REASON.malformedHeader };
  if (token.length > MAX_TOKEN_CHARS) return { reason: AUTH_REASON.malformedToken };
  return { token };
}

/** The roles a token carries in `claim`: an array of strings, or a space-separated string. */
export function rolesOf(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (typeof value === 'string') return value.split(' ').filter((role) => role !== '');
  if (Array.isArray(value)) return value.filter((role): role is string => typeof role === 'string');
  return [];
}

/** Several keys fit a token without a `kid` (a JWKS during key rotation): each is tried. */
class SeveralKeys extends Error {
  constructor(readonly keys: readonly CryptoKey[]) {
    super('several keys fit');
  }
}

function reject(code: AuthStatusName, reason: string): AuthDecision {
  return { accepted: false, code, reason };
}

function tokenAlgorithm(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

/** A verifier over keys imported once; each call verifies signature, algorithm, exp/nbf, iss, aud and the role. */
export function createJwtVerifier(options: JwtVerifierOptions): AuthVerifier {
  const { keys, requiredRole, rolesClaim } = options;
  const algorithms = [...keys.algorithms];
  const verifyOptions: JWTVerifyOptions = { algorithms, clockTolerance: options.clockToleranceS };
  if (options.issuer !== undefined) verifyOptions.issuer = options.issuer;
  if (options.audience !== undefined) verifyOptions.audience = options.audience;
  const getKey = (header: { alg?: unknown; kid?: unknown }): CryptoKey => {
    const candidates = keys.candidates(header);
    if (candidates.length === 1) return candidates[0] as CryptoKey;
    if (candidates.length === 0) throw new errors.JWKSNoMatchingKey();
    throw new SeveralKeys(candidates);
  };

  const verify = async (token: string): Promise<JWTPayload> => {
    try {
      return (await jwtVerify(token, getKey, verifyOptions)).payload;
    } catch (error: unknown) {
      if (!(error instanceof SeveralKeys)) throw error;
      let last: unknown = error;
      for (const key of error.keys) {
        try {
          return (await jwtVerify(token, key, verifyOptions)).payload;
        } catch (attempt: unknown) {
          last = attempt;
          // Only the signature depends on the key: any other failure is the token's.
          if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) break;
        }
      }
      throw last;
    }
  };

  const parts = [`JWT ${keys.description}`];
  if (options.issuer !== undefined) parts.push(`issuer ${JSON.stringify(options.issuer)}`);
  if (options.audience !== undefined) parts.push(`audience ${JSON.stringify(options.audience)}`);
  if (requiredRole !== undefined) parts.push(`role ${JSON.stringify(requiredRole)} in claim ${JSON.stringify(rolesClaim)}`);

  return {
    description: parts.join(', '),
    authorize: async (authorization) => {
      const bearer = parseBearer(authorization);
      if ('reason' in bearer) return reject('UNAUTHENTICATED', bearer.reason);
      let payload: JWTPayload;
      try {
        payload = await verify(bearer.token);
      } catch (error: unknown) {
        return reject('UNAUTHENTICATED', jwtRejectionReason(error, tokenAlgorithm(bearer.token), algorithms));
      }
      if (requiredRole !== undefined && !rolesOf(payload, rolesClaim).includes(requiredRole)) {
        return reject('PERMISSION_DENIED', roleRequiredReason(requiredRole));
      }
      const subject = payload.sub;
      // The subject travels on as metadata, which takes printable ASCII only.
      if (subject !== undefined && (typeof subject !== 'string' || !PRINTABLE_SUBJECT.test(subject))) {
        return reject('UNAUTHENTICATED', AUTH_REASON.subjectInvalid);
      }
      return { accepted: true, subject };
    },
  };
}
