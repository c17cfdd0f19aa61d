import type { EngineName } from '../engine/transport.js';
import type { Compression } from '../types.js';

/** grpc-js default maximum receive message length. */
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

/** Length of the "Server received: " prefix the echo adds. */
export const ECHO_PREFIX = 'Server received: ';

/** Bytes a RouteNote adds around its string: one tag byte and up to five length bytes. */
export const ROUTE_NOTE_OVERHEAD = 6;

export const RUN_DEFAULTS = {
  workers: 1,
  connections: 1,
  streams: 1,
  inFlight: 1,
  openLoopInFlight: 1024,
  size: 16,
  engine: 'h2' as EngineName,
  compressibility: 50,
  compression: 'identity' as Compression,
  warmupS: 1,
  durationS: 10,
  drainTimeoutS: 2,
} as const;

/** Window bounds from the HTTP/2 spec (RFC 9113 §6.9.1). */
export const MIN_WINDOW = 65_535;
export const MAX_WINDOW = 2 ** 31 - 1;
/** SETTINGS_MAX_CONCURRENT_STREAMS announced by the embedded server and the h2 client: the most HTTP/2 allows. */
export const MAX_CONCURRENT_STREAMS = 2 ** 31 - 1;

export const MAX_WORKERS = 64;
/** Bounds of --worker-heap (V8 old generation per worker thread, MiB): a worker needs some room to start. */
export const MIN_WORKER_HEAP_MIB = 32;
export const MAX_WORKER_HEAP_MIB = 65_536;
/** Bounds of --worker-young (V8 young generation per worker thread, MiB). */
export const MIN_WORKER_YOUNG_MIB = 3;
export const MAX_WORKER_YOUNG_MIB = 1_024;
export const MAX_CONNECTIONS = 1_024;
export const MAX_STREAMS = 100_000;
export const MAX_IN_FLIGHT = 65_536;
export const MAX_DURATION_S = 24 * 3600;
