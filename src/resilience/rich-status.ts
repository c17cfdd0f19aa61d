/**
 * The gRPC rich error model: a google.rpc.Status (code, message, details as Any) serialized in
 * the `grpc-status-details-bin` trailer. Decoded and encoded with protobufjs from the
 * googleapis protos shipped in proto/google/rpc/; the details this harness uses are ErrorInfo
 * (reason, domain) and RetryInfo (retry_delay), packed as grpc-go's status.WithDetails packs
 * them (type URL `type.googleapis.com/google.rpc.ErrorInfo`).
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));
const TYPE_URL_PREFIX = 'type.googleapis.com/';

export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';
export const RETRY_PUSHBACK_TRAILER = 'grpc-retry-pushback-ms';

/** What a failed call's status details said, as far as this harness uses them. */
export interface RichStatus {
  /** ErrorInfo.reason and .domain, when present. */
  reason: string | null;
  domain: string | null;
  /** RetryInfo.retry_delay in ms, when present. */
  retryDelayMs: number | null;
}

interface Types {
  status: protobuf.Type;
  errorInfo: protobuf.Type;
  retryInfo: protobuf.Type;
}

let types: Types | undefined;

function loadTypes(): Types {
  if (types) return types;
  const root = new protobuf.Root();
  // google/protobuf/{any,duration}.proto come with protobufjs; google/rpc/* from proto/.
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : protobuf.util.path.resolve(PROTO_DIR, target));
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
  types = { status: root.lookupType('google.rpc.Status'), errorInfo: root.lookupType('google.rpc.ErrorInfo'), retryInfo: root.lookupType('google.rpc.RetryInfo') };
  return types;
}

interface AnyMessage {
  type_url?: string;
  typeUrl?: string;
  value?: Uint8Array;
}

interface DurationMessage {
  seconds?: number | { toNumber(): number };
  nanos?: number;
}

const toNumber = (v: number | { toNumber(): number } | undefined): number => (v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Decodes a serialized google.rpc.Status; null when the bytes are not one. */
export function decodeRichStatus(bytes: Uint8Array): RichStatus | null {
  const t = loadTypes();
  let status: { details?: AnyMessage[] };
  try {
    status = t.status.decode(bytes) as unknown as { details?: AnyMessage[] };
  } catch {
    return null;
  }
  const rich: RichStatus = { reason: null, domain: null, retryDelayMs: null };
  for (const detail of status.details ?? []) {
    const url = detail.type_url ?? detail.typeUrl ?? '';
    const name = url.slice(url.lastIndexOf('/') + 1);
    const value = detail.value ?? new Uint8Array();
    try {
      if (name === 'google.rpc.ErrorInfo') {
        const info = t.errorInfo.decode(value) as unknown as { reason?: string; domain?: string };
        rich.reason = info.reason || null;
        rich.domain = info.domain || null;
      } else if (name === 'google.rpc.RetryInfo') {
        const retry = t.retryInfo.decode(value) as unknown as { retryDelay?: DurationMessage; retry_delay?: DurationMessage };
        const delay = retry.retryDelay ?? retry.retry_delay;
        if (delay) rich.retryDelayMs = toNumber(delay.seconds) * 1000 + Math.round((delay.nanos ?? 0) / 1e6);
      }
    } catch {
      // A detail that does not decode is skipped; the others still count.
    }
  }
  return rich;
}

/** Serializes a google.rpc.Status with ErrorInfo (and RetryInfo when retryDelayMs is set). */
export function encodeRichStatus(code: number, message: string, detail: { reason: string; domain: string; retryDelayMs?: number | null }): Buffer {
  const t = loadTypes();
  const details: { type_url: string; value: Uint8Array }[] = [
    { type_url: `${TYPE_URL_PREFIX}google.rpc.ErrorInfo`, value: t.errorInfo.encode(t.errorInfo.fromObject({ reason: detail.reason, domain: detail.domain })).finish() },
  ];
  if (detail.retryDelayMs !== undefined && detail.retryDelayMs !== null) {
    const seconds = Math.floor(detail.retryDelayMs / 1000);
    const retry = t.retryInfo.fromObject({ retryDelay: { seconds, nanos: (detail.retryDelayMs - seconds * 1000) * 1e6 } });
    details.push({ type_url: `${TYPE_URL_PREFIX}google.rpc.RetryInfo`, value: t.retryInfo.encode(retry).finish() });
  }
  const status = t.status.fromObject({ code, message, details });
  return Buffer.from(t.status.encode(status).finish());
}
