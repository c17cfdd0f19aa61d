import { errors } from 'jose';

/*
 * Why a stream was refused, as the short texts clients see in `grpc-message` and the server
 * counts and logs. Every text here is built from constants and bounded choices (a known
 * algorithm name, a registered claim name): never from token text, so a client cannot flood the
 * log with distinct reasons or make the server print what it sent.
 */

/** gRPC status names a refused stream gets. */
export type AuthStatusName = 'UNAUTHENTICATED' | 'PERMISSION_DENIED';

export interface AuthRejection {
  code: AuthStatusName;
  reason: string;
}

export const AUTH_REASON = {
  missingBearer: 'missing bearer token',
  malformedHeader: 'malformed authorization header',
  malformedToken: 'malformed token',
  signatureInvalid: 'token signature invalid',
  expired: 'token expired',
  notYetValid: 'token not yet valid',
  issuerMismatch: 'token issuer mismatch',
  issuerMissing: 'token issuer missing',
  audienceMismatch: 'token audience mismatch',
  audienceMissing: 'token audience missing',
  keyUnknown: 'token signing key unknown',
  /** `sub` is not a string of 1 to 1024 printable ASCII characters (it becomes metadata). */
  subjectInvalid: 'token subject invalid',
  verificationFailed: 'token verification failed',
} as const;

/** JWS algorithm names a log line may repeat; anything else shows as "unknown". */
const NAMEABLE_ALGORITHMS = new Set([
  'none', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512', 'ES256K', 'EdDSA', 'Ed25519', 'Ed448', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87',
]);

/** Registered claim names a reason may repeat (jose only reports these, but bound it anyway). */
const NAMEABLE_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'typ']);

/** The algorithm of a token header for a reason text: a known name or "unknown". */
export function nameableAlgorithm(alg: unknown): string {
  return typeof alg === 'string' && NAMEABLE_ALGORITHMS.has(alg) ? alg : 'unknown';
}

/** "token algorithm not allowed (HS256; allowed: ES256)". */
export function algorithmNotAllowedReason(tokenAlg: unknown, allowed: readonly string[]): string {
  return `token algorithm not allowed (${nameableAlgorithm(tokenAlg)}; allowed: ${allowed.join(', ')})`;
}

/** "role bench required". */
export function roleRequiredReason(role: string): string {
  return `role ${role} required`;
}

function claimReason(claim: string, reason: string): string {
  switch (claim) {
    case 'nbf':
      return AUTH_REASON.notYetValid;
    case 'exp':
      return reason === 'invalid' ? 'token exp claim invalid' : AUTH_REASON.expired;
    case 'iss':
      return reason === 'missing' ? AUTH_REASON.issuerMissing : AUTH_REASON.issuerMismatch;
    case 'aud':
      return reason === 'missing' ? AUTH_REASON.audienceMissing : AUTH_REASON.audienceMismatch;
    default: {
      const name = NAMEABLE_CLAIMS.has(claim) ? claim : 'unknown';
      return reason === 'missing' ? `token ${name} claim missing` : `token ${name} claim invalid`;
    }
  }
}

/**
 * The one place jose's verification errors become reasons. `tokenAlg` is the `alg` of the
 * token's header when it could be read (for the not-allowed text); `allowed` the server's list.
 * Anything jose did not classify is "token verification failed".
 */
export function jwtRejectionReason(error: unknown, tokenAlg: unknown, allowed: readonly string[]): string {
  if (error instanceof errors.JWTExpired) return AUTH_REASON.expired;
  if (error instanceof errors.JWTClaimValidationFailed) return claimReason(error.claim, error.reason);
  if (error instanceof errors.JWSSignatureVerificationFailed) return AUTH_REASON.signatureInvalid;
  if (error instanceof errors.JOSEAlgNotAllowed) return algorithmNotAllowedReason(tokenAlg, allowed);
  if (error instanceof errors.JWKSNoMatchingKey) return AUTH_REASON.keyUnknown;
  // Structure: not three base64url parts, a header or claims set that is not a JSON object,
  // unsupported crit/b64, an algorithm jose does not know.
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return AUTH_REASON.malformedToken;
  }
  return AUTH_REASON.verificationFailed;
}
