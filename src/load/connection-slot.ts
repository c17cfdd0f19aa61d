import type { CallStatus, Echo, Payloads, StreamHandler, TransportConnection, TransportStream, WireBytes } from '../engine/transport.js';

/** One connection of a slot, made or being made, and the calls placed on it. */
class Carrier {
  connection: TransportConnection | null = null;
  /** Calls placed on it over its life (opened, or waiting for it to connect). */
  carried = 0;
  /** Calls placed on it that have not ended yet. */
  active = 0;
  /** No new calls go to it; it is closed once its calls ended. */
  retired = false;
  /** Connecting failed. */
  failed = false;
  ready: Promise<TransportConnection>;

  constructor(ready: Promise<TransportConnection> | TransportConnection) {
    if (ready instanceof Promise) {
      this.ready = ready;
    } else {
      this.connection = ready;
      this.ready = Promise.resolve(ready);
    }
  }
}

/**
 * A call as the slot sees it: the stream's handler and the engine's stream, with the end of the
 * call (its status, or a cancel) reported to the slot once, so a retired connection is closed
 * only after its last call ended.
 */
class CountedCall implements StreamHandler, TransportStream {
  private stream: TransportStream | null = null;
  private released = false;

  constructor(
    private readonly handler: StreamHandler,
    private readonly release: () => void,
  ) {}

  attach(stream: TransportStream): this {
    this.stream = stream;
    return this;
  }

  onHeaders(backend: string | null): void {
    this.handler.onHeaders(backend);
  }

  onEcho(echo: Echo): void {
    this.handler.onEcho(echo);
  }

  onDrain(): void {
    this.handler.onDrain();
  }

  onEnd(status: CallStatus): void {
    this.ended();
    this.handler.onEnd(status);
  }

  write(seq: number): boolean {
    return (this.stream as TransportStream).write(seq);
  }

  halfClose(): void {
    this.stream?.halfClose();
  }

  sentTo(): string | null {
    return this.stream?.sentTo?.() ?? null;
  }

  cancel(): void {
    this.stream?.cancel();
    this.ended();
  }

  /** The call is over (or was never made): the slot may close its connection. */
  ended(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }
}

/**
 * One of a worker's connections over the run. A new connection replaces the current one when
 * it was lost or the server sent GOAWAY, and, with connection churn, once it carried `churn`
 * calls (a call waiting for a connection that is still being made counts on that one, so no
 * connection ever carries more). A replaced connection takes no new calls and is closed once
 * its calls ended: calls in flight are never cut. Wire bytes of every connection count.
 */
export class ConnectionSlot {
  private currentCarrier: Carrier;
  /** Every carrier not closed yet: the current one, retired ones with calls left, pending ones. */
  private readonly live = new Set<Carrier>();
  /** Wire bytes of the connections already closed; null once one of them could not count. */
  private closedWire: WireBytes | null = { sent: 0, received: 0 };
  private closed = false;
  /** Connections made after the first one. */
  reconnects = 0;

  constructor(
    connection: TransportConnection,
    private readonly connect: () => Promise<TransportConnection>,
    private readonly onConnected: (connection: TransportConnection) => void,
    /** Connection churn: calls per connection; null keeps a connection while it is usable. */
    private readonly churn: number | null = null,
  ) {
    this.currentCarrier = new Carrier(connection);
    this.live.add(this.currentCarrier);
  }

  /**
   * Opens a call on the current connection, or on a new one when the current one is lost, went
   * away or carried its share (then a promise, rejected when connecting fails).
   */
  openStream(handler: StreamHandler, payloads: Payloads): TransportStream | Promise<TransportStream> {
    const carrier = this.carrierForNextCall();
    carrier.carried++;
    carrier.active++;
    const call = new CountedCall(handler, () => this.release(carrier));
    const connection = carrier.connection;
    if (connection !== null) return call.attach(connection.openStream(call, payloads));
    return carrier.ready.then(
      (made) => call.attach(made.openStream(call, payloads)),
      (error: unknown) => {
        call.ended();
        throw error;
      },
    );
  }

  wireBytes(): (WireBytes | null)[] {
    const live = [...this.live].map((c) => (c.connection === null ? { sent: 0, received: 0 } : c.connection.wireBytes()));
    return [this.closedWire, ...live];
  }

  close(): void {
    this.closed = true;
    for (const carrier of this.live) if (carrier.connection !== null) this.closeCarrier(carrier);
  }

  private carrierForNextCall(): Carrier {
    const current = this.currentCarrier;
    const unusable = current.failed || (current.connection !== null && !current.connection.isOpen());
    const full = this.churn !== null && current.carried >= this.churn;
    if (!unusable && !full) return current;
    const fresh: Carrier = new Carrier(
      this.connect().then(
        (connection) => {
          fresh.connection = connection;
          this.reconnects++;
          this.onConnected(connection);
          if (this.closed || (fresh.retired && fresh.active === 0)) this.closeCarrier(fresh);
          return connection;
        },
        (error: unknown) => {
          fresh.failed = true;
          if (fresh !== this.currentCarrier) this.live.delete(fresh);
          throw error;
        },
      ),
    );
    this.live.add(fresh);
    this.currentCarrier = fresh;
    this.retire(current);
    return fresh;
  }

  private retire(carrier: Carrier): void {
    carrier.retired = true;
    if (carrier.failed) this.live.delete(carrier);
    else if (carrier.connection !== null && carrier.active === 0) this.closeCarrier(carrier);
  }

  private release(carrier: Carrier): void {
    carrier.active--;
    if (carrier.retired && carrier.active === 0 && carrier.connection !== null) this.closeCarrier(carrier);
  }

  private closeCarrier(carrier: Carrier): void {
    if (!this.live.delete(carrier)) return;
    const connection = carrier.connection as TransportConnection;
    const wire = connection.wireBytes();
    this.closedWire = this.closedWire === null || wire === null ? null : { sent: this.closedWire.sent + wire.sent, received: this.closedWire.received + wire.received };
    connection.close();
  }
}
