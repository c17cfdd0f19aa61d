/**
 * Real network hosts for tests: Linux network namespaces, each with one veth pair to a bridge
 * that lives in its own "switch" namespace, so the root namespace gets no addresses or routes.
 * Needs root. Names carry a prefix and the test process's pid: leftovers of a crashed run (pid
 * gone) are removed before a new network is built, and every name is removed again afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const NETNS_PREFIX = 'gsbm-';
/** veth names (at most 15 characters): "gm<pid>h<i>" in the host, "gm<pid>s<i>" at the bridge. */
const VETH_PATTERN = /^gm(\d+)[hs]\d+(@|$)/;
const SUBNET = '10.231.0';

export interface NetnsHost {
  /** Namespace name. */
  name: string;
  /** IPv4 address on the shared bridge. */
  address: string;
  /** argv prefix that runs a command inside the namespace: ['ip', 'netns', 'exec', name]. */
  exec: string[];
}

export interface NetnsNetwork {
  hosts: NetnsHost[];
  /** The bridge's namespace. */
  switchName: string;
  /** Removes every namespace and link this network created; safe to call twice. */
  destroy(): void;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Why namespaces can't be built here, or null when they can (root, `ip netns add` works). */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux, this is ${process.platform}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (run the test as root)';
  const probe = `${NETNS_PREFIX}probe-${process.pid}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.status !== 0) return `\`ip netns add\` failed: ${(added.stderr || added.error?.message || 'unknown error').trim()}`;
  spawnSync('ip', ['netns', 'delete', probe]);
  return null;
}

/** Removes namespaces and veths of this prefix whose creating process is gone (or `pid`'s own). */
export function cleanLeftovers(pid?: number): void {
  const stale = (owner: number): boolean => owner === pid || (owner !== process.pid && !pidAlive(owner));
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((line) => line.split(' ')[0] ?? '');
  for (const name of namespaces) {
    const owner = /^gsbm-(?:probe-)?(\d+)/.exec(name);
    if (owner && stale(Number(owner[1]))) spawnSync('ip', ['netns', 'delete', name]);
  }
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').map((line) => line.split(': ')[1] ?? '');
  for (const link of links) {
    const owner = VETH_PATTERN.exec(link);
    if (owner && stale(Number(owner[1]))) spawnSync('ip', ['link', 'delete', link.split('@')[0] as string]);
  }
}

/** What is left of this process's network (names), for tests of the cleanup. */
export function leftovers(pid = process.pid): string[] {
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((line) => line.split(' ')[0] ?? '').filter((n) => n.startsWith(`${NETNS_PREFIX}${pid}-`));
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').map((line) => (line.split(': ')[1] ?? '').split('@')[0] ?? '').filter((l) => l.startsWith(`gm${pid}`));
  return [...namespaces, ...links];
}

/**
 * `hostCount` namespaces on one bridge: host i (0-based) has address 10.231.0.(i+1)/24. If
 * building fails half-way, what was built is removed and the error rethrown.
 */
export function createNetwork(hostCount: number): NetnsNetwork {
  if (hostCount < 1 || hostCount > 200) throw new Error(`createNetwork: 1 to 200 hosts, got ${hostCount}`);
  cleanLeftovers();
  const pid = process.pid;
  const switchName = `${NETNS_PREFIX}${pid}-sw`;
  const hosts: NetnsHost[] = [];
  let destroyed = false;
  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('exit', destroy);
    cleanLeftovers(pid);
  };
  process.on('exit', destroy);
  try {
    ip(['netns', 'add', switchName]);
    ip(['-n', switchName, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', switchName, 'link', 'set', 'br0', 'up']);
    for (let i = 0; i < hostCount; i++) {
      const name = `${NETNS_PREFIX}${pid}-h${i}`;
      const inHost = `gm${pid}h${i}`;
      const atSwitch = `gm${pid}s${i}`;
      const address = `${SUBNET}.${i + 1}`;
      ip(['netns', 'add', name]);
      ip(['link', 'add', inHost, 'type', 'veth', 'peer', 'name', atSwitch]);
      ip(['link', 'set', inHost, 'netns', name]);
      ip(['link', 'set', atSwitch, 'netns', switchName]);
      ip(['-n', switchName, 'link', 'set', atSwitch, 'master', 'br0']);
      ip(['-n', switchName, 'link', 'set', atSwitch, 'up']);
      ip(['-n', name, 'link', 'set', 'lo', 'up']);
      ip(['-n', name, 'addr', 'add', `${address}/24`, 'dev', inHost]);
      ip(['-n', name, 'link', 'set', inHost, 'up']);
      hosts.push({ name, address, exec: ['ip', 'netns', 'exec', name] });
    }
  } catch (error: unknown) {
    destroy();
    throw error;
  }
  return { hosts, switchName, destroy };
}
