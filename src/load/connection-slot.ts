import type { TransportConnection, WireBytes } from '../engine/transport.js';

/**
 * One of a worker's connections over the run: when it is lost (or the server sent GOAWAY), the
 * next stream that needs it connects again (one attempt at a time, shared by every stream
 * waiting). Every connection it ever had still counts for wire bytes and is closed at the end.
 */
export class ConnectionSlot {
  private readonly all: TransportConnection[];
  private pending: Promise<TransportConnection> | null = null;
  /** Connections made after the first one. */
  reconnects = 0;

  constructor(
    private connection: TransportConnection,
    private readonly connect: () => Promise<TransportConnection>,
    private readonly onConnected: (connection: TransportConnection) => void,
  ) {
    this.all = [connection];
  }

  get current(): TransportConnection {
    return this.connection;
  }

  /** An open connection: the current one, or a new one when it is gone. Rejects when connecting fails. */
  ensure(): Promise<TransportConnection> {
    if (this.connection.isOpen()) return Promise.resolve(this.connection);
    this.pending ??= this.connect()
      .then((fresh) => {
        this.connection.close();
        this.connection = fresh;
        this.all.push(fresh);
        this.reconnects++;
        this.onConnected(fresh);
        return fresh;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  wireBytes(): (WireBytes | null)[] {
    return this.all.map((c) => c.wireBytes());
  }

  close(): void {
    for (const connection of this.all) connection.close();
  }
}
