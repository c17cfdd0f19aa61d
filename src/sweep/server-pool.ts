import { MAX_LIVE_SERVERS, serverKeyOf } from '../plan/estimate-sweep.js';
import { startEmbeddedServer, type EmbeddedServer } from '../load/embedded-server.js';
import { embeddedServerOptions } from '../load/embedded-security.js';
import type { RunConfig } from '../types.js';

/**
 * Embedded echo servers of a sweep, one per distinct server-side setting (window,
 * max message size, CPUs), started on first use and kept alive, so the shuffled order never
 * restarts a server. Beyond `capacity` settings the least recently used server is stopped.
 */
export class ServerPool {
  private readonly live = new Map<string, EmbeddedServer>();

  constructor(private readonly capacity = MAX_LIVE_SERVERS) {}

  /** The running server for this configuration, started if needed; undefined for an external target. */
  async acquire(config: RunConfig): Promise<EmbeddedServer | undefined> {
    const key = serverKeyOf(config);
    if (key === null) return undefined;
    const running = this.live.get(key);
    if (running) {
      this.live.delete(key);
      this.live.set(key, running);
      return running;
    }
    if (this.live.size >= this.capacity) {
      const [oldestKey, oldest] = this.live.entries().next().value as [string, EmbeddedServer];
      this.live.delete(oldestKey);
      await oldest.stop();
    }
    const server = await startEmbeddedServer(await embeddedServerOptions(config));
    this.live.set(key, server);
    return server;
  }

  /** Stops the server of this configuration (after a failure), so the next use starts a fresh one. */
  async discard(config: RunConfig): Promise<void> {
    const key = serverKeyOf(config);
    const server = key === null ? undefined : this.live.get(key);
    if (key === null || !server) return;
    this.live.delete(key);
    await server.stop();
  }

  async stopAll(): Promise<void> {
    const servers = [...this.live.values()];
    this.live.clear();
    await Promise.all(servers.map((s) => s.stop()));
  }
}
