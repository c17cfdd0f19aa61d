/**
 * What a server's stream limit (SETTINGS_MAX_CONCURRENT_STREAMS) did to a run, in words: streams
 * refused (counted), or, with grpc-js, streams left waiting in the client's queue.
 */
import type { RunConfig } from '../types.js';

/** No limit a run could reach: what node:http2 reports when a server advertises none. */
export const UNLIMITED_STREAMS = 2 ** 32 - 1;

/** The most streams the run puts on one connection. */
export function streamsPerConnection(config: Pick<RunConfig, 'streams' | 'connections'>): number {
  return Math.ceil(config.streams / config.connections);
}

/** The server refused streams (REFUSED_STREAM, or its limit reached on a connection): said, not hidden. */
export function streamLimitWarning(config: Pick<RunConfig, 'streams' | 'connections'>, refused: number): string | null {
  if (refused <= 0) return null;
  return `the server's stream limit was hit: ${refused} stream${refused === 1 ? ' was' : 's were'} refused (RST_STREAM REFUSED_STREAM, or its SETTINGS_MAX_CONCURRENT_STREAMS reached on a connection; counted as UNAVAILABLE errors); the run puts up to ${streamsPerConnection(config)} streams on a connection: add --connections or raise the server's limit`;
}

/**
 * grpc-js (through node:http2) queues streams over the server's limit until others end, so they
 * never start and no error counts them; warn when the run asks for more than the limit allows.
 */
export function queuedStreamsWarning(config: Pick<RunConfig, 'streams' | 'connections' | 'engine' | 'messagesPerStream'>, limit: number | null): string | null {
  if (config.engine !== 'grpc-js' || limit === null || limit >= UNLIMITED_STREAMS) return null;
  const perConnection = streamsPerConnection(config);
  if (perConnection <= limit) return null;
  const stuck = config.messagesPerStream === null ? 'never start' : 'start only when other calls end';
  return `the server's stream limit was hit: it allows ${limit} concurrent streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS) and the run puts up to ${perConnection} on one; grpc-js queues the streams over the limit inside node:http2, where they ${stuck} without an error: add --connections (at least ${Math.ceil(config.streams / limit)}) or raise the server's limit`;
}
