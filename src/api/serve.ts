import { formatTarget } from '../config/target.js';
import { BenchError, ExitCode } from '../errors.js';
import { startEchoServer } from '../grpc/echo-server.js';
import { resolveServeOptions, type ServeOptions } from '../grpc/serve-options.js';
import { checkKnownOptions, type OptionNames } from './known-options.js';

export interface ServeCallOptions extends ServeOptions {
  /** Aborting closes the server (as close() does). */
  signal?: AbortSignal;
}

export interface ServeHandle {
  host: string;
  /** The port listened on (the free one picked for port 0). */
  port: number;
  /** HOST:PORT, ready for `run({ target })`. */
  target: string;
  /** Stops accepting, lets open streams finish for up to graceMs, then closes them. Idempotent. */
  close(): Promise<void>;
}

const SERVE_OPTION_NAMES: OptionNames<ServeCallOptions> = {
  host: true,
  port: true,
  allowRemote: true,
  window: true,
  maxMessageSize: true,
  delayMs: true,
  graceMs: true,
  tls: true,
  signal: true,
};

/**
 * Starts the RouteChat echo server in this process (grpc-js, server reflection, optional TLS),
 * as `grpc-stream-bench serve` does, and resolves once it listens.
 */
export async function serve(options: ServeCallOptions = {}): Promise<ServeHandle> {
  checkKnownOptions('serve', options, SERVE_OPTION_NAMES);
  const { signal, ...serveOptions } = options;
  const { server: serverOptions, graceMs } = resolveServeOptions(serveOptions);
  if (signal?.aborted) throw new BenchError('serve: aborted before the server started', ExitCode.interrupted);
  const server = await startEchoServer(serverOptions);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    signal?.removeEventListener('abort', onAbort);
    closing ??= server.shutdown(graceMs);
    return closing;
  };
  const onAbort = (): void => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  return { host: server.host, port: server.port, target: formatTarget({ host: server.host, port: server.port }), close };
}
