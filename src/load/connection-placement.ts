/**
 * Which address each of a worker's connections goes to. round_robin: connection c of the whole
 * run (the worker's first connection index + its own) goes to address c mod n, so several
 * workers together spread evenly; pick_first: every connection to the first address. When its
 * address does not answer, a connection goes to the next one in turn (the first reachable for
 * pick_first; after a backend died, reconnects land on the next live address).
 *
 * The grpc-js engine balances inside each channel instead: every connection is one channel over
 * all addresses with the policy in its service config.
 */
import type { ConnectionSettings, Engine, TransportConnection } from '../engine/transport.js';
import type { LbPolicy } from '../types.js';

export interface Placement {
  addresses: readonly string[];
  lb: LbPolicy;
  /** Index of the worker's first connection in the run's connection order. */
  firstConnection: number;
}

/** The address connection `index` of the worker starts from (then the next ones in turn). */
export function homeAddress(placement: Placement, index: number): number {
  const n = placement.addresses.length;
  return placement.lb === 'round_robin' ? (placement.firstConnection + index) % n : 0;
}

/** A connect function for connection `index` of the worker. */
export function placeConnection(engine: Engine, settings: ConnectionSettings, placement: Placement, index: number): () => Promise<TransportConnection> {
  const { addresses, lb } = placement;
  if (addresses.length <= 1) return () => engine.connect(addresses.length === 1 ? { ...settings, target: addresses[0] as string } : settings);
  if (engine.name === 'grpc-js') {
    const balanced: ConnectionSettings = { ...settings, target: addresses.join(','), balancing: { policy: lb, addresses: [...addresses] } };
    return () => engine.connect(balanced);
  }
  const home = homeAddress(placement, index);
  const perAddress = addresses.map((target) => ({ ...settings, target }));
  return async () => {
    let lastError: unknown;
    for (let k = 0; k < perAddress.length; k++) {
      try {
        return await engine.connect(perAddress[(home + k) % perAddress.length] as ConnectionSettings);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };
}
