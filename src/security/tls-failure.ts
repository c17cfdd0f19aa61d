/** One clear line for a failed TLS connection: which check failed, and what to do about it. */

const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** `name`: the name the server certificate was checked against. */
export function describeTlsFailure(error: unknown, name: string): string {
  const e = error as { code?: string; message?: string; reason?: string };
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  if (UNKNOWN_CA.has(code)) return `TLS: the server's certificate is not signed by a CA this client trusts (${code}); give its CA with --ca FILE`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: the server's certificate does not name ${name} (${e.reason ?? message}); connect by a name it carries or set --server-name`;
  if (code === 'CERT_HAS_EXPIRED') return "TLS: the server's certificate has expired";
  if (code === 'CERT_NOT_YET_VALID') return "TLS: the server's certificate is not valid yet (check the clocks)";
  if (/CERTIFICATE_REQUIRED|alert number 116/i.test(code + message)) return 'TLS: the server requires a client certificate (mTLS); give --cert FILE --key FILE';
  if (/ALERT_UNKNOWN_CA|ALERT_BAD_CERTIFICATE|ALERT_CERTIFICATE_UNKNOWN|ALERT_DECRYPT_ERROR/i.test(code + message)) {
    return `TLS: the server rejected the client certificate (${code || message}); it must be issued by a CA the server trusts`;
  }
  if (/WRONG_VERSION_NUMBER|packet length too long|http request/i.test(code + message)) return `TLS: the server did not answer with TLS (${code || message}); is it a plaintext server?`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `TLS: the connection was closed during the handshake (${code}); is it a TLS server, and does it accept this client?`;
  return `TLS: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
}
