/**
 * The browsers connected to `/events`. Sending never waits for a browser: each message is one
 * string written to every open response; a connection that cannot take it (its unsent bytes
 * pile up: a stalled or vanished browser) is dropped, and the browser catches up from a fresh
 * snapshot if it comes back.
 */
import type { ServerResponse } from 'node:http';

/** One SSE message: `event:` line, one `data:` line of JSON, blank line. */
export function formatSseEvent(type: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so the data is always a single line.
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Unsent bytes a connection may hold before it is dropped (on top of its first snapshot). */
export const SLOW_CLIENT_BYTES = 1024 * 1024;

interface Client {
  res: ServerResponse;
  limit: number;
}

export class SseClients {
  private readonly clients = new Set<Client>();

  get size(): number {
    return this.clients.size;
  }

  /** Starts the event stream on `res` with `first` (the snapshot) as its first message. */
  add(res: ServerResponse, first: string): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    res.socket?.setNoDelay(true);
    const client: Client = { res, limit: SLOW_CLIENT_BYTES + Buffer.byteLength(first) };
    this.clients.add(client);
    const drop = (): void => {
      this.clients.delete(client);
    };
    res.on('close', drop);
    res.on('error', drop);
    // Reconnect after 1 s if the connection drops while the process still runs.
    res.write(`retry: 1000\n\n${first}`);
  }

  /** Writes one message to every open connection, now; never waits. */
  broadcast(message: string): void {
    for (const client of this.clients) {
      const { res } = client;
      if (res.destroyed || res.writableEnded) {
        this.clients.delete(client);
        continue;
      }
      if (res.writableLength > client.limit) {
        this.clients.delete(client);
        res.destroy();
        continue;
      }
      res.write(message);
    }
  }

  /**
   * Sends `last` and ends every stream; resolves once they are flushed, or after graceMs at the
   * latest (then what is still unsent is dropped).
   */
  async closeAll(last: string, graceMs: number): Promise<void> {
    const flushed: Promise<void>[] = [];
    for (const { res } of this.clients) {
      if (res.destroyed || res.writableEnded) continue;
      flushed.push(new Promise<void>((resolve) => res.once('close', resolve).once('finish', resolve)));
      res.end(last);
    }
    const clients = [...this.clients];
    this.clients.clear();
    if (flushed.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(flushed), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const { res } of clients) if (!res.destroyed) res.destroy();
  }
}
