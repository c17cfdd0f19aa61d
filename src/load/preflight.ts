import { connectH2 } from '../engine/h2/h2-connection.js';
import type { ClientTls } from '../engine/transport.js';
import { TargetError, describeError } from '../errors.js';

export const PREFLIGHT_TIMEOUT_MS = 5_000;

/**
 * Fails with TargetError (one clear line: refused, timed out, which TLS check failed) when the
 * target does not complete a TCP (+ TLS) connection and an HTTP/2 preface in time. Whatever the
 * engine: grpc-js only says it was not ready by its deadline. Resolves with the server's
 * SETTINGS_MAX_CONCURRENT_STREAMS, read on that connection (null: it advertises none).
 */
export async function checkReachable(target: string, tls: ClientTls | null = null, timeoutMs = PREFLIGHT_TIMEOUT_MS): Promise<number | null> {
  try {
    const connection = await connectH2({ target, tls, callMetadata: null, compression: 'identity', window: null, maxMessageSize: 1024, connectTimeoutMs: timeoutMs });
    try {
      return connection.peerStreamLimit();
    } finally {
      connection.close();
    }
  } catch (error) {
    throw new TargetError(`target ${target} is unreachable: ${describeError(error)}`);
  }
}
