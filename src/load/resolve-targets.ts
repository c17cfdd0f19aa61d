/**
 * Before any worker starts: a target list becomes the addresses the run loads. DNS members are
 * resolved to all their addresses (node:dns lookup, all: true), and every address is checked
 * for reachability (TCP, TLS and the HTTP/2 preface, short timeout). An unreachable address is
 * a TargetError naming it, unless --allow-partial: then it is dropped with a warning.
 */
import { lookup } from 'node:dns/promises';
import { isLoopback, formatTarget } from '../config/target.js';
import { formatMember, parseTargetList, type TargetMember } from '../config/target-list.js';
import type { ClientTls } from '../engine/transport.js';
import { ConfigError, TargetError, describeError } from '../errors.js';
import { checkReachable } from './preflight.js';

export interface ResolvedTargets {
  /** The addresses to load, HOST:PORT, in the order given (DNS addresses in resolver order). */
  addresses: string[];
  /** What --allow-partial dropped, for the results' warnings. */
  warnings: string[];
  /**
   * The first address's SETTINGS_MAX_CONCURRENT_STREAMS, read by the reachability check; null when
   * it advertises none (grpc-js queues the streams over it inside node:http2, unseen).
   */
  streamLimit: number | null;
}

/** Resolves a name to all its addresses (injectable for tests). */
export type LookupAll = (host: string) => Promise<string[]>;

const lookupAll: LookupAll = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface ResolveTargetsOptions {
  tls?: ClientTls | null;
  allowPartial?: boolean;
  lookup?: LookupAll;
  /** Reachability check of one address; rejects when it does not answer, else may give its stream limit. */
  probe?: (address: string, tls: ClientTls | null) => Promise<number | null | void>;
}

/** The addresses of one member: itself, or what its DNS name resolves to (loopback names must stay loopback). */
async function addressesOf(member: TargetMember, resolve: LookupAll): Promise<string[]> {
  if (member.kind === 'address') return [formatTarget(member)];
  let hosts: string[];
  try {
    hosts = await resolve(member.host);
  } catch (error) {
    throw new TargetError(`target ${formatMember(member)} could not be resolved: ${describeError(error)}`);
  }
  if (hosts.length === 0) throw new TargetError(`target ${formatMember(member)} resolved to no address`);
  if (isLoopback(member.host)) {
    const remote = hosts.find((h) => !isLoopback(h));
    if (remote !== undefined) {
      throw new ConfigError(`target ${formatMember(member)} resolved to ${remote}, which is not a loopback address; pass --allow-remote and name the server explicitly to load a remote server`);
    }
  }
  return hosts.map((host) => formatTarget({ host, port: member.port }));
}

/** The reachable addresses of `target` (a target list as RunConfig records it). */
export async function resolveTargets(target: string, options: ResolveTargetsOptions = {}): Promise<ResolvedTargets> {
  const members = parseTargetList(target, true);
  const probe = options.probe ?? ((address: string, tls: ClientTls | null) => checkReachable(address, tls));
  const tls = options.tls ?? null;
  // A single plain address keeps the single-target message.
  if (members.length === 1 && members[0]?.kind === 'address') {
    const address = formatTarget(members[0]);
    return { addresses: [address], warnings: [], streamLimit: (await probe(address, tls)) ?? null };
  }
  const warnings: string[] = [];
  const failures: string[] = [];
  const addresses: string[] = [];
  for (const member of members) {
    try {
      for (const address of await addressesOf(member, options.lookup ?? lookupAll)) if (!addresses.includes(address)) addresses.push(address);
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      failures.push(error.message);
    }
  }
  const outcomes = await Promise.allSettled(addresses.map((address) => probe(address, tls)));
  const reachable = addresses.filter((_, i) => outcomes[i]?.status === 'fulfilled');
  const first = outcomes.find((o): o is PromiseFulfilledResult<number | null | void> => o.status === 'fulfilled');
  const streamLimit = first?.value ?? null;
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'rejected') failures.push(unreachable(addresses[i] as string, outcome.reason));
  });
  if (failures.length === 0) return { addresses, warnings, streamLimit };
  if (!options.allowPartial) {
    throw new TargetError(`${failures.join('; ')} (${failures.length} of the --target list ${target}); pass --allow-partial to run on the members that answer`);
  }
  if (reachable.length === 0) throw new TargetError(`no member of the --target list ${target} is reachable: ${failures.join('; ')}`);
  for (const failure of failures) warnings.push(`--allow-partial: ${failure}; dropped, the run loaded ${reachable.length} address${reachable.length === 1 ? '' : 'es'} (${reachable.join(', ')})`);
  return { addresses: reachable, warnings, streamLimit };
}

function unreachable(address: string, reason: unknown): string {
  // checkReachable's TargetError already says "target X is unreachable: …".
  return reason instanceof TargetError ? reason.message : `target ${address} is unreachable: ${describeError(reason)}`;
}

export interface FirstReachable {
  /** The address that answered. */
  address: string;
  /** Why each address tried before it was passed over ("target X is unreachable: …"). */
  skipped: string[];
}

/**
 * The first address of `target` that answers, trying its members in order (a DNS member: its
 * addresses in resolver order), as pick_first does: for one-stream tools such as `chat`. None
 * answering is a TargetError naming every address; a loopback name resolving to a remote
 * address is a ConfigError.
 */
export async function firstReachable(target: string, options: Omit<ResolveTargetsOptions, 'allowPartial'> = {}): Promise<FirstReachable> {
  const members = parseTargetList(target, true);
  const probe = options.probe ?? ((address: string, tls: ClientTls | null) => checkReachable(address, tls));
  const tls = options.tls ?? null;
  const skipped: string[] = [];
  for (const member of members) {
    let addresses: string[];
    try {
      addresses = await addressesOf(member, options.lookup ?? lookupAll);
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      skipped.push(error.message);
      continue;
    }
    for (const address of addresses) {
      try {
        await probe(address, tls);
        return { address, skipped };
      } catch (error) {
        skipped.push(unreachable(address, error));
      }
    }
  }
  // One plain address keeps the single-target message.
  if (members.length === 1 && members[0]?.kind === 'address' && skipped.length === 1) throw new TargetError(skipped[0] as string);
  throw new TargetError(`no member of the --target list ${target} is reachable: ${skipped.join('; ')}`);
}
