/**
 * The grpc-js engine: what a client built on @grpc/grpc-js experiences. One channel per
 * connection (its own subchannel pool, so its own TCP connection); each stream is a
 * `RouteChat()` duplex call.
 */
import * as grpc from '@grpc/grpc-js';
import type { RouteNote, RouteNote__Output } from '../../generated/stream/RouteNote.js';
import { clientChannelOptions } from '../../grpc/channel-options.js';
import { loadStreamProto, type StreamServiceClient } from '../../grpc/proto.js';
import type { CallStatus, ConnectionSettings, Echo, Engine, Payloads, StreamHandler, TransportConnection, TransportStream } from '../transport.js';

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
    let status: CallStatus = { code: grpc.status.UNKNOWN, details: 'the call ended without a status' };
    call.on('metadata', () => handler.onHeaders());
    call.on('data', (note: RouteNote__Output) => {
      echo.message = note.message;
      handler.onEcho(echo);
    });
    // 'status' comes with every end of the call; 'end' follows once every echo was read.
    call.on('status', (s: grpc.StatusObject) => {
      status = { code: s.code, details: s.details };
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

  cancel(): void {
    this.call.cancel();
  }
}

class GrpcJsConnection implements TransportConnection {
  constructor(private readonly client: StreamServiceClient) {}

  openStream(handler: StreamHandler, payloads: Payloads): TransportStream {
    return new GrpcJsStream(this.client.RouteChat(), payloads, handler);
  }

  wireBytes(): null {
    return null;
  }

  close(): void {
    this.client.close();
  }
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
    const client = new proto.stream.StreamService(settings.target, grpc.credentials.createInsecure(), options);
    try {
      await waitForReady(client, settings);
    } catch (error) {
      client.close();
      throw error;
    }
    return new GrpcJsConnection(client);
  },
};
