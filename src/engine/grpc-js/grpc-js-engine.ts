/**
 * The grpc-js engine: what a client built on @grpc/grpc-js experiences. One channel per
 * connection (its own subchannel pool, so its own TCP connection); each stream is a
 * `RouteChat()` duplex call.
 */
import * as grpc from '@grpc/grpc-js';
import type { RouteNote, RouteNote__Output } from '../../generated/stream/RouteNote.js';
import { clientChannelOptions } from '../../grpc/channel-options.js';
import { loadStreamProto, type StreamServiceClient } from '../../grpc/proto.js';
import { callStatusOf } from './grpc-js-status.js';
import { BACKEND_ID_HEADER, type CallStatus, type ClientTls, type ConnectionSettings, type Echo, type Engine, type Payloads, type StreamHandler, type TransportConnection, type TransportStream } from '../transport.js';
import { channelTarget, loadBalancingServiceConfig } from './grpc-js-balancing.js';

type RouteChatCall = grpc.ClientDuplexStream<RouteNote, RouteNote__Output>;

/** The echo of a grpc-js call: the decoded string. */
class StringEcho implements Echo {
  message = '';
  constructor(private readonly payloads: Payloads) {}
  get bytes(): number {
    return Buffer.byteLength(this.message);
  }
  isEchoOf(seq: number): boolean {
    return this.payloads.isEcho(this.message, seq);
  }
  text(): string {
    return this.message;
  }
}

class GrpcJsStream implements TransportStream {
  constructor(
    private readonly call: RouteChatCall,
    private readonly payloads: Payloads,
    handler: StreamHandler,
  ) {
    const echo = new StringEcho(payloads);
    let status: CallStatus = { code: grpc.status.UNKNOWN, details: 'the call ended without a status', origin: 'protocol', rich: null, pushbackMs: null };
    call.on('metadata', (metadata: grpc.Metadata) => {
      const id = metadata.get(BACKEND_ID_HEADER)[0];
      handler.onHeaders(typeof id === 'string' && id !== '' ? id : this.sentTo());
    });
    call.on('data', (note: RouteNote__Output) => {
      echo.message = note.message;
      handler.onEcho(echo);
    });
    // 'status' comes with every end of the call; 'end' follows once every echo was read.
    call.on('status', (s: grpc.StatusObject) => {
      status = callStatusOf(s);
    });
    call.on('error', () => undefined);
    call.on('end', () => handler.onEnd(status));
    call.on('drain', () => handler.onDrain());
  }

  write(seq: number): boolean {
    return this.call.write({ message: this.payloads.make(seq) });
  }

  halfClose(): void {
    this.call.end();
  }

  /** The subchannel address the call was picked onto ("unknown" before the pick). */
  sentTo(): string | null {
    const peer = this.call.getPeer();
    return peer === 'unknown' || peer === '' ? null : peer;
  }

  cancel(): void {
    this.call.cancel();
  }
}

class GrpcJsConnection implements TransportConnection {
  constructor(
    private readonly client: StreamServiceClient,
    private readonly callMetadata: (() => Record<string, string>) | null,
    readonly connectMs: number,
  ) {}

  openStream(handler: StreamHandler, payloads: Payloads): TransportStream {
    if (this.callMetadata === null) return new GrpcJsStream(this.client.RouteChat(), payloads, handler);
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(this.callMetadata())) metadata.set(key, value);
    return new GrpcJsStream(this.client.RouteChat(metadata), payloads, handler);
  }

  wireBytes(): null {
    return null;
  }

  /** A grpc-js channel reconnects by itself (with its own backoff): always usable. */
  isOpen(): boolean {
    return true;
  }

  close(): void {
    this.client.close();
  }
}

/**
 * grpc-js sends the target's IP address as the TLS server name (grpc-node #1919), which Node
 * deprecates (DEP0123) with a warning on stderr that says nothing about the run: drop that one.
 */
let ipServerNameWarningDropped = false;
function dropIpServerNameWarning(): void {
  if (ipServerNameWarningDropped) return;
  ipServerNameWarningDropped = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const options = args[1];
    const code = typeof options === 'object' && options !== null ? (options as { code?: unknown }).code : args[2];
    if (code !== 'DEP0123') emit(...args);
  }) as typeof process.emitWarning;
}

function channelCredentials(tls: ClientTls | null): grpc.ChannelCredentials {
  if (tls === null) return grpc.credentials.createInsecure();
  dropIpServerNameWarning();
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
}

function waitForReady(client: grpc.Client, settings: ConnectionSettings): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + settings.connectTimeoutMs, (error) => {
      if (error) reject(new Error(`cannot connect to ${settings.target} within ${settings.connectTimeoutMs} ms: ${error.message}`));
      else resolve();
    });
  });
}

export const grpcJsEngine: Engine = {
  name: 'grpc-js',
  async connect(settings) {
    const proto = loadStreamProto();
    const options = clientChannelOptions({ compression: settings.compression, window: settings.window, maxMessageSize: settings.maxMessageSize, ownConnection: true });
    if (settings.tls?.serverName) options['grpc.ssl_target_name_override'] = settings.tls.serverName;
    // The channel reconnects by itself: with --reconnect, on the run's backoff rather than its own (1 s, ×1.6).
    if (settings.reconnectBackoff) {
      options['grpc.initial_reconnect_backoff_ms'] = settings.reconnectBackoff.initialMs;
      options['grpc.max_reconnect_backoff_ms'] = settings.reconnectBackoff.maxMs;
    }
    // Several addresses: one channel balancing over all of them (its own subchannel per address).
    const balancing = settings.balancing ?? null;
    if (balancing !== null) options['grpc.service_config'] = loadBalancingServiceConfig(balancing.policy);
    const target = balancing === null ? settings.target : channelTarget(balancing.addresses);
    const client = new proto.stream.StreamService(target, channelCredentials(settings.tls), options);
    const started = performance.now();
    try {
      await waitForReady(client, settings);
    } catch (error) {
      client.close();
      throw error;
    }
    // Time to READY: TCP, TLS and the HTTP/2 preface, as grpc-js reports it.
    return new GrpcJsConnection(client, settings.callMetadata, performance.now() - started);
  },
};
