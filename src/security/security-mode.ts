/** What a run's connections and calls are secured with: the `security` setting and sweep axis. */
export const SECURITY_MODES = ['plaintext', 'tls', 'mtls', 'tls+jwt', 'mtls+jwt'] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];

export function usesTls(mode: SecurityMode): boolean {
  return mode !== 'plaintext';
}

export function usesClientCertificate(mode: SecurityMode): boolean {
  return mode === 'mtls' || mode === 'mtls+jwt';
}

export function usesJwt(mode: SecurityMode): boolean {
  return mode === 'tls+jwt' || mode === 'mtls+jwt';
}

/** The mode of a combination of TLS, a client certificate and a bearer token. */
export function securityModeOf(tls: boolean, clientCertificate: boolean, token: boolean): SecurityMode {
  if (!tls) return 'plaintext';
  if (clientCertificate) return token ? 'mtls+jwt' : 'mtls';
  return token ? 'tls+jwt' : 'tls';
}
