/**
 * grpc-js client-side load balancing: the channel target naming every address
 * (`ipv4:a:p1,b:p2` / `ipv6:[a]:p1,…`) and the service config choosing the policy.
 */
import { isIP } from 'node:net';
import { parseTarget } from '../../config/target.js';
import type { LbPolicy } from '../../types.js';

/** `grpc.service_config` selecting `policy` (pick_first tries the addresses in order). */
export function loadBalancingServiceConfig(policy: LbPolicy): string {
  return JSON.stringify({ loadBalancingConfig: [{ [policy]: {} }] });
}

/**
 * A channel target for a list of HOST:PORT addresses. grpc-js takes several addresses of one
 * family per target; a host name is left to grpc-js's resolver (only alone).
 */
export function channelTarget(addresses: readonly string[]): string {
  const parsed = addresses.map((a) => parseTarget(a, true));
  const families = new Set(parsed.map((a) => isIP(a.host)));
  if (families.size === 1 && families.has(4)) return `ipv4:${parsed.map((a) => `${a.host}:${a.port}`).join(',')}`;
  if (families.size === 1 && families.has(6)) return `ipv6:${parsed.map((a) => `[${a.host}]:${a.port}`).join(',')}`;
  if (addresses.length === 1) return addresses[0] as string;
  throw new Error(`the grpc-js engine balances over IP addresses of one family; got ${addresses.join(', ')}`);
}
