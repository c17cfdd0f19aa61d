/**
 * A grpc-js StatusObject as a CallStatus. grpc-js does not say where a status came from; its own
 * details texts (subchannel-call.ts, stream-decoder.ts, client.ts) tell transport failures and
 * refused responses apart from statuses the server sent.
 */
import type * as grpc from '@grpc/grpc-js';
import { decodeRichStatus, RETRY_PUSHBACK_TRAILER, STATUS_DETAILS_TRAILER } from '../../resilience/rich-status.js';
import type { CallStatus, StatusOrigin } from '../transport.js';

const TRANSPORT = /^(Connection dropped|Stream refused by server|Received RST_STREAM with code [1-9]|Call cancelled|Bandwidth exhausted|Protocol not secure enough|No connection established|Failed to connect|.*\b(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT)\b)/;
const PROTOCOL = /^(Received HTTP status code|Response message parsing error|Received message larger than max|Received compressed message|Received message compressed with unsupported|Received RST_STREAM with code 0 \(Call ended without gRPC status\)|No status information received)/;

/** What grpc-js reports for a stream the server refused (RST_STREAM REFUSED_STREAM). */
export const REFUSED_DETAILS = 'Stream refused by server';

export function originOf(details: string): StatusOrigin {
  if (TRANSPORT.test(details)) return 'transport';
  if (PROTOCOL.test(details)) return 'protocol';
  return 'server';
}

export function callStatusOf(status: grpc.StatusObject): CallStatus {
  const details = status.metadata?.get(STATUS_DETAILS_TRAILER)[0];
  const pushback = status.metadata?.get(RETRY_PUSHBACK_TRAILER)[0];
  return {
    code: status.code,
    details: status.details,
    origin: status.code === 0 ? 'server' : originOf(status.details),
    rich: Buffer.isBuffer(details) ? decodeRichStatus(details) : null,
    pushbackMs: typeof pushback === 'string' && /^\d+$/.test(pushback) ? Number(pushback) : null,
    // grpc-js's own text for RST_STREAM REFUSED_STREAM (subchannel-call.ts).
    ...(status.code !== 0 && status.details === REFUSED_DETAILS ? { refused: true } : {}),
  };
}
