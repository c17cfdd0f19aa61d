/**
 * How the embedded server and the generator are secured for a --security mode: throwaway
 * certificates and an ES256 signing key made for the run, minted tokens with these claims,
 * checked by the server (issuer, audience, role).
 */
import type { AuthDescriptor } from './client-credentials.js';
import { usesJwt, usesTls, type SecurityMode } from './security-mode.js';

export const THROWAWAY_ISSUER = 'grpc-stream-bench';
export const THROWAWAY_AUDIENCE = 'route-chat';
export const THROWAWAY_ROLE = 'bench';
export const THROWAWAY_TTL_S = 300;
export const THROWAWAY_CLAIMS = { sub: 'grpc-stream-bench', roles: [THROWAWAY_ROLE], iss: THROWAWAY_ISSUER, aud: THROWAWAY_AUDIENCE };

export function throwawayAuth(mode: SecurityMode): AuthDescriptor | null {
  if (!usesTls(mode)) return null;
  const jwt = usesJwt(mode);
  return {
    token: jwt ? 'minted' : 'none',
    jwtAlg: jwt ? 'ES256' : null,
    jwtClaims: jwt ? ['iat', 'exp', ...Object.keys(THROWAWAY_CLAIMS)] : [],
    jwtTtlS: jwt ? THROWAWAY_TTL_S : null,
    serverName: null,
  };
}

/** What an external target's client flags must say for each mode. */
export const SECURITY_NEEDS: Record<SecurityMode, string> = {
  plaintext: 'no TLS and no token flags',
  tls: '--tls or --ca FILE, no client certificate, no token',
  mtls: '--ca FILE (or --tls) with --cert FILE --key FILE, no token',
  'tls+jwt': '--tls or --ca FILE and one of --token-file, --token-env, --jwt-sign-key',
  'mtls+jwt': '--ca FILE (or --tls), --cert FILE --key FILE and one of --token-file, --token-env, --jwt-sign-key',
};
