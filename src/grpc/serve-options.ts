/**
 * The echo server's settings as code gives them (the `serve` flags in camelCase), checked with
 * the same checks and messages as the `serve` command's flags, before anything listens.
 */
import { checkBytes, checkInteger, checkNumber } from '../config/checks.js';
import { DEFAULT_MAX_MESSAGE_SIZE, MAX_WINDOW, MIN_WINDOW } from '../config/defaults.js';
import type { Bytes, Unchecked } from '../config/run-options.js';
import { isLoopback } from '../config/target.js';
import { ConfigError } from '../errors.js';
import { checkServerTls, type ServerTlsOptions } from '../security/server-tls.js';
import type { EchoServerOptions } from './echo-server.js';

export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 50051, delayMs: 0, graceMs: 5_000 } as const;

export interface ServeOptions {
  /** Address to listen on, loopback unless `allowRemote` [default: '127.0.0.1']. */
  host?: string;
  /** Port; 0 picks a free one [default: 50051]. */
  port?: number;
  /** Allow a non-loopback `host` [default: false]. */
  allowRemote?: boolean;
  /** HTTP/2 flow-control window of every stream and of the connection [default: 64 KiB]. */
  window?: Bytes;
  /** Largest message received or sent [default: 4 MiB]. */
  maxMessageSize?: Bytes;
  /** Fixed delay before each echo, ms [default: 0]. */
  delayMs?: number;
  /** On close(): how long open streams may finish before they are closed, ms [default: 5000]. */
  graceMs?: number;
  /** TLS as PEM text; with `clientCa` client certificates are required (mTLS) [default: plaintext]. */
  tls?: ServerTlsOptions;
}

export interface ResolvedServeOptions {
  server: EchoServerOptions;
  graceMs: number;
}

/** Validates serve options (ConfigError naming the flag, as `serve` would). */
export function resolveServeOptions(o: Unchecked<ServeOptions>): ResolvedServeOptions {
  const host = o.host === undefined ? SERVE_DEFAULTS.host : String(o.host);
  if (o.allowRemote !== true && !isLoopback(host)) {
    throw new ConfigError(`--host ${host} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to listen elsewhere`);
  }
  const port = o.port === undefined ? SERVE_DEFAULTS.port : checkInteger('--port', o.port, 0, 65_535);
  const window = o.window === undefined ? null : checkBytes('--window', o.window, MIN_WINDOW, MAX_WINDOW);
  const maxMessageSize = o.maxMessageSize === undefined ? DEFAULT_MAX_MESSAGE_SIZE : checkBytes('--max-message-size', o.maxMessageSize, 1024, 2 ** 31 - 1);
  const delayMs = o.delayMs === undefined ? SERVE_DEFAULTS.delayMs : checkInteger('--delay-ms', o.delayMs, 0, 60_000);
  const graceMs = o.graceMs === undefined ? SERVE_DEFAULTS.graceMs : checkNumber('--grace-ms', o.graceMs, -1, 600_000);
  const server: EchoServerOptions = { host, port, window, maxMessageSize, delayMs };
  if (o.tls !== undefined) server.tls = checkTlsOption(o.tls);
  return { server, graceMs };
}

function pem(name: string, value: unknown): { path: string; content: Buffer } {
  if (typeof value !== 'string' && !Buffer.isBuffer(value)) throw new ConfigError(`${name} must be PEM text, got ${value === undefined ? 'nothing' : typeof value}`);
  return { path: name, content: Buffer.from(value) };
}

/** TLS given as PEM text, checked as `serve` checks its files (parses, key matches, not expired). */
function checkTlsOption(tls: unknown): ServerTlsOptions {
  if (typeof tls !== 'object' || tls === null) throw new ConfigError('tls must be an object { cert, key, clientCa? } of PEM text');
  const { cert, key, clientCa } = tls as Record<string, unknown>;
  return checkServerTls({ cert: pem('tls.cert', cert), key: pem('tls.key', key), ...(clientCa === undefined ? {} : { clientCa: pem('tls.clientCa', clientCa) }) });
}
