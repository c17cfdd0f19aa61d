// reflect-metadata must be loaded before @peculiar/x509: its dependency injection (tsyringe) needs Reflect.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { checkInteger } from '../config/checks.js';
import { ConfigError } from '../errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const DEFAULT_CERT_DAYS = 30;
export const MAX_CERT_DAYS = 3650;
export const DEFAULT_CLIENT_NAME = 'grpc-stream-bench client';
/** Names every server certificate carries, before the `--hosts` ones. */
export const DEFAULT_SERVER_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];
/** How far notBefore lies in the past, so that a peer whose clock is a little behind accepts the certificates. */
export const CLOCK_SKEW_MS = 60_000;

/** The files written, by role. */
export const SECURITY_FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  server: 'server.pem',
  serverKey: 'server-key.pem',
  client: 'client.pem',
  clientKey: 'client-key.pem',
  jwtPrivate: 'jwt-private.pem',
  jwtPublic: 'jwt-public.pem',
} as const;

export type SecurityFileRole = keyof typeof SECURITY_FILES;

export const SECURITY_FILE_ROLES = Object.keys(SECURITY_FILES) as SecurityFileRole[];

/** Private keys are readable by their owner only; certificates and public keys by everyone. */
export const SECURITY_FILE_MODES: Readonly<Record<SecurityFileRole, number>> = {
  ca: 0o644,
  caKey: 0o600,
  server: 0o644,
  serverKey: 0o600,
  client: 0o644,
  clientKey: 0o600,
  jwtPrivate: 0o600,
  jwtPublic: 0o644,
};

/** A subject alternative name of the server certificate. */
export interface ServerName {
  type: 'dns' | 'ip';
  value: string;
}

export interface SecurityMaterialOptions {
  /** Extra server names (DNS names or IP addresses; entries may be comma-separated lists). */
  hosts: string[];
  /** Validity in days, 1 to MAX_CERT_DAYS. */
  days: number;
  /** Subject CN of the client certificate. */
  clientName: string;
  /** Issue time (default: now). */
  now?: Date;
}

export interface SecurityMaterial {
  /** PEM text of each file. */
  pem: Record<SecurityFileRole, string>;
  /** The server certificate's subject alternative names. */
  serverNames: ServerName[];
  caName: string;
  clientName: string;
  days: number;
  notBefore: Date;
  notAfter: Date;
}

export interface WrittenFile {
  role: SecurityFileRole;
  path: string;
  mode: number;
}

const EC_KEY: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
const MAX_CN_LENGTH = 64; // ub-common-name, RFC 5280

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const HOST_RULE =
  'DNS names (dot-separated labels of letters, digits and inner hyphens, 1 to 63 characters each, at most 253 in all; a leading "*." as in *.svc.example) or IP addresses';

/**
 * The server certificate's names: the defaults plus `hosts` (repeatable, comma-separated), validated,
 * DNS names lower-cased, IPv6 addresses in their canonical form, duplicates dropped.
 */
export function parseServerNames(hosts: readonly string[]): ServerName[] {
  const names: ServerName[] = [];
  const seen = new Set<string>();
  const add = (name: ServerName): void => {
    const key = `${name.type}:${name.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    names.push(name);
  };
  for (const host of DEFAULT_SERVER_HOSTS) add(parseServerName(host, host));
  for (const entry of hosts) {
    for (const part of entry.split(',')) add(parseServerName(part.trim(), entry));
  }
  return names;
}

function parseServerName(host: string, entry: string): ServerName {
  const given = host === entry ? JSON.stringify(host) : `${JSON.stringify(host)} (in ${JSON.stringify(entry)})`;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 4) return { type: 'ip', value: bare };
  if (family === 6) {
    if (bare.includes('%')) throw new ConfigError(`--hosts must be ${HOST_RULE}; an IPv6 zone index (%...) cannot be in a certificate, got ${given}`);
    return { type: 'ip', value: new URL(`http://[${bare}]`).hostname.slice(1, -1) };
  }
  const dns = host.toLowerCase();
  const labels = dns.split('.');
  const valid =
    dns.length <= 253 &&
    labels.every((label, i) => DNS_LABEL.test(label) || (i === 0 && label === '*' && labels.length > 2)) &&
    !/^\d+$/.test(labels[labels.length - 1] ?? '');
  if (!valid) throw new ConfigError(`--hosts must be ${HOST_RULE}, got ${given}`);
  return { type: 'dns', value: dns };
}

function checkClientName(name: string): string {
  if (name.trim() === '' || name.length > MAX_CN_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ConfigError(`--client-name must be 1 to ${MAX_CN_LENGTH} characters, not blank, without control characters, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Validates the options, then makes a CA, a server and a client certificate (ECDSA P-256) and an ES256 JWT key pair. */
export async function generateSecurityMaterial(options: SecurityMaterialOptions): Promise<SecurityMaterial> {
  const days = checkInteger('--days', options.days, 1, MAX_CERT_DAYS);
  const serverNames = parseServerNames(options.hosts);
  const clientName = checkClientName(options.clientName);
  // Certificates carry whole seconds; truncating keeps notAfter - notBefore exact.
  const issued = Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000;
  const validity = { notBefore: new Date(issued - CLOCK_SKEW_MS), notAfter: new Date(issued + days * DAY_MS) };
  const caName = `grpc-stream-bench test CA ${randomBytes(4).toString('hex')}`;

  const [caKeys, serverKeys, clientKeys, jwtKeys] = await Promise.all([newKeyPair(), newKeyPair(), newKeyPair(), newKeyPair()]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity,
    serialNumber: randomSerialNumber(),
    name: [{ CN: [caName] }],
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (cn: string, keys: CryptoKeyPair, usage: x509.ExtendedKeyUsage, extra: x509.Extension[]): Promise<x509.X509Certificate> =>
    x509.X509CertificateGenerator.create({
      ...validity,
      serialNumber: randomSerialNumber(),
      subject: [{ CN: [cn] }],
      issuer: ca.subjectName,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage], false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ...extra,
      ],
    });
  const server = await issue('grpc-stream-bench server', serverKeys, x509.ExtendedKeyUsage.serverAuth, [
    new x509.SubjectAlternativeNameExtension(serverNames.map((n) => ({ type: n.type, value: n.value }))),
  ]);
  const client = await issue(clientName, clientKeys, x509.ExtendedKeyUsage.clientAuth, []);

  return {
    pem: {
      ca: certificatePem(ca),
      caKey: await privateKeyPem(caKeys),
      server: certificatePem(server),
      serverKey: await privateKeyPem(serverKeys),
      client: certificatePem(client),
      clientKey: await privateKeyPem(clientKeys),
      jwtPrivate: await privateKeyPem(jwtKeys),
      jwtPublic: await publicKeyPem(jwtKeys),
    },
    serverNames,
    caName,
    clientName,
    days,
    ...validity,
  };
}

/** ECDSA P-256: the certificates' keys and, as ES256, the JWT key. */
function newKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** 16 random bytes as a positive DER INTEGER of exactly 16 bytes (high bit clear, first byte not zero). */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) || 0x01;
  return bytes.toString('hex');
}

function certificatePem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')}\n`;
}

async function publicKeyPem(keys: CryptoKeyPair): Promise<string> {
  return `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('spki', keys.publicKey), 'PUBLIC KEY')}\n`;
}

/**
 * Writes the material into `dir` (created if missing), each file atomically (temporary file, then rename)
 * and with its final mode from creation. Without `force`, refuses when any of the files exists, before
 * writing anything.
 */
export function writeSecurityMaterial(dir: string, material: SecurityMaterial, options: { force: boolean }): WrittenFile[] {
  const stat = statOrNull(dir);
  if (stat !== null && !stat.isDirectory()) throw new ConfigError(`--out ${dir} exists and is not a directory`);
  if (!options.force) {
    const existing = SECURITY_FILE_ROLES.map((role) => SECURITY_FILES[role]).filter((file) => lstatOrNull(join(dir, file)) !== null);
    if (existing.length > 0) {
      throw new ConfigError(`--out ${dir} already has ${existing.join(', ')}; pass --force to overwrite, or choose another directory`);
    }
  }
  mkdirSync(dir, { recursive: true });
  // Every file is staged before any is renamed into place, so a failure (disk full) leaves the old set
  // or, at worst for an instant, a mix — never a truncated file.
  const staged: Array<WrittenFile & { temp: string }> = [];
  try {
    for (const role of SECURITY_FILE_ROLES) {
      const path = join(dir, SECURITY_FILES[role]);
      const mode = SECURITY_FILE_MODES[role];
      staged.push({ role, path, mode, temp: writeTempFile(path, material.pem[role], mode) });
    }
    for (const file of staged) renameSync(file.temp, file.path);
  } catch (error) {
    for (const file of staged) rmSync(file.temp, { force: true });
    throw error;
  }
  return staged.map(({ role, path, mode }) => ({ role, path, mode }));
}

/**
 * Writes `content` to a new temporary file beside `path` and returns its name. Like results/write-atomic.ts,
 * but the file is created with `mode`, so a private key is never readable by others, not even briefly.
 */
function writeTempFile(path: string, content: string, mode: number): string {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', mode);
  try {
    fchmodSync(fd, mode); // the umask may have narrowed the mode; this never widens it beyond `mode`
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  return temp;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Also sees a dangling symlink, which would otherwise be replaced silently. */
function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
