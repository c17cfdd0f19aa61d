/**
 * How the end of an HTTP/2 stream becomes a gRPC status, as gRPC's PROTOCOL-HTTP2.md says and
 * with the same names and details grpc-js reports (subchannel-call.ts), so both engines count
 * a misbehaving server's streams under the same status.
 */
import * as http2 from 'node:http2';
import { decodeRichStatus, RETRY_PUSHBACK_TRAILER, STATUS_DETAILS_TRAILER } from '../../resilience/rich-status.js';
import { Status } from '../status-codes.js';
import type { CallStatus, StatusOrigin } from '../transport.js';

/** A status without rich details. */
export function callStatus(code: number, details: string, origin: StatusOrigin): CallStatus {
  return { code, details, origin, rich: null, pushbackMs: null };
}

const C = http2.constants;

/** HTTP status → gRPC status, for responses that are not gRPC (grpc-js mapHttpStatusCode). */
export function statusFromHttp(httpStatus: number): CallStatus {
  const details = `Received HTTP status code ${httpStatus}`;
  switch (httpStatus) {
    case 400:
      return callStatus(Status.INTERNAL, details, 'protocol');
    case 401:
      return callStatus(Status.UNAUTHENTICATED, details, 'protocol');
    case 403:
      return callStatus(Status.PERMISSION_DENIED, details, 'protocol');
    case 404:
      return callStatus(Status.UNIMPLEMENTED, details, 'protocol');
    case 429:
    case 502:
    case 503:
    case 504:
      return callStatus(Status.UNAVAILABLE, details, 'protocol');
    default:
      return callStatus(Status.UNKNOWN, details, 'protocol');
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** A run of %XX escapes decoded as UTF-8; bytes that are not valid UTF-8 stay as they were written. */
function decodeEscapes(run: string): string {
  const bytes = Uint8Array.from(run.slice(1).split('%'), (hex) => parseInt(hex, 16));
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceLength(bytes[i] as number);
    if (n > 0 && i + n <= bytes.length) {
      try {
        out += strictUtf8.decode(bytes.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // not a valid sequence: keep the lead byte's escape
      }
    }
    out += run.slice(3 * i, 3 * i + 3);
    i++;
  }
  return out;
}

/**
 * grpc-message is percent-encoded UTF-8 (PROTOCOL-HTTP2.md). Valid escapes are decoded; invalid
 * ones ('%zz', a lone '%', bytes that are not UTF-8) are kept as they are, as grpc-go does.
 */
export function decodeGrpcMessage(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, decodeEscapes);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The status in trailers (or in a trailers-only response's headers), with its rich details. */
export function statusFromTrailers(headers: http2.IncomingHttpHeaders, httpStatus: number): CallStatus {
  const raw = headerText(headers['grpc-status']);
  if (raw !== undefined && /^\d+$/.test(raw)) {
    const message = headerText(headers['grpc-message']);
    const details = headerText(headers[STATUS_DETAILS_TRAILER]);
    const pushback = headerText(headers[RETRY_PUSHBACK_TRAILER]);
    return {
      code: Number(raw),
      details: message === undefined ? '' : decodeGrpcMessage(message),
      origin: 'server',
      // Binary (-bin) metadata travels base64-encoded.
      rich: details === undefined ? null : decodeRichStatus(Buffer.from(details, 'base64')),
      pushbackMs: pushback !== undefined && /^\d+$/.test(pushback) ? Number(pushback) : null,
    };
  }
  if (httpStatus !== 0) return statusFromHttp(httpStatus);
  return callStatus(Status.UNKNOWN, 'No status information received', 'protocol');
}

/** A stream that closed without a gRPC status: by its RST_STREAM code, or a lost connection. */
export function statusFromReset(rstCode: number, httpStatus: number, connectionDropped: boolean, socketError: string | null): CallStatus {
  // A refusal first: a GOAWAY closes the streams above its last-stream-id with REFUSED_STREAM, and
  // when that was the session's last stream the session is already gone by the stream's 'close'.
  // Before any response the server never processed the call: it may be retried transparently.
  if (rstCode === C.NGHTTP2_REFUSED_STREAM) {
    return { ...callStatus(Status.UNAVAILABLE, 'Stream refused by server', 'transport'), refused: true, ...(httpStatus === 0 ? { unprocessed: true } : {}) };
  }
  if (connectionDropped) return callStatus(Status.UNAVAILABLE, socketError === null ? 'Connection dropped' : `Connection dropped (${socketError})`, 'transport');
  switch (rstCode) {
    case C.NGHTTP2_NO_ERROR:
      if (httpStatus !== 0 && httpStatus !== 200) return statusFromHttp(httpStatus);
      return callStatus(Status.INTERNAL, `Received RST_STREAM with code ${rstCode} (Call ended without gRPC status)`, 'protocol');
    case C.NGHTTP2_CANCEL:
      return callStatus(Status.CANCELLED, 'Call cancelled', 'transport');
    case C.NGHTTP2_ENHANCE_YOUR_CALM:
      return callStatus(Status.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded', 'transport');
    case C.NGHTTP2_INADEQUATE_SECURITY:
      return callStatus(Status.PERMISSION_DENIED, 'Protocol not secure enough', 'transport');
    case C.NGHTTP2_INTERNAL_ERROR:
      return callStatus(Status.INTERNAL, `Received RST_STREAM with code ${rstCode} (Internal server error)`, 'transport');
    default:
      return callStatus(Status.INTERNAL, `Received RST_STREAM with code ${rstCode}`, 'transport');
  }
}

/** Whether a content-type is gRPC's (application/grpc, optionally +proto or ;params). */
export function isGrpcContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const type = value.toLowerCase();
  return type === 'application/grpc' || type.startsWith('application/grpc+') || type.startsWith('application/grpc;');
}
