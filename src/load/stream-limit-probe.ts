import { connectH2 } from '../engine/h2/h2-connection.js';
import type { ClientTls } from '../engine/transport.js';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * The server's SETTINGS_MAX_CONCURRENT_STREAMS, read on one short connection; null when it
 * advertises none (no limit) or cannot be asked (the preflight has already said whether it
 * answers). grpc-js queues the streams over this limit inside node:http2, where no error shows.
 */
export async function probeStreamLimit(target: string, tls: ClientTls | null): Promise<number | null> {
  try {
    const connection = await connectH2({ target, tls, callMetadata: null, compression: 'identity', window: null, maxMessageSize: 1024, connectTimeoutMs: PROBE_TIMEOUT_MS });
    try {
      return connection.peerStreamLimit();
    } finally {
      connection.close();
    }
  } catch {
    return null;
  }
}
