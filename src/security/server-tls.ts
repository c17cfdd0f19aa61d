import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, describeError } from '../errors.js';

/** TLS for the echo server, as PEM text. */
export interface ServerTlsOptions {
  /** Certificate chain, leaf first. */
  cert: string;
  key: string;
  /** With it, clients must present a certificate that this CA signed (mTLS). */
  clientCa?: string;
}

/** A PEM file a flag named, as the CLI read it. */
export interface PemFile {
  path: string;
  content: Buffer;
}

export interface ServerTlsFiles {
  cert: PemFile;
  key: PemFile;
  clientCa?: PemFile;
}

function certificate(flag: string, file: PemFile): X509Certificate {
  if (!file.content.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${flag} ${file.path} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----")`);
  }
  try {
    return new X509Certificate(file.content);
  } catch (error: unknown) {
    throw new ConfigError(`${flag} ${file.path}: cannot parse the certificate (${describeError(error)})`);
  }
}

/** Checks the files before anything listens: each parses, the key matches the certificate, the certificate has not expired. */
export function checkServerTls(files: ServerTlsFiles, now: Date = new Date()): ServerTlsOptions {
  const cert = certificate('--tls-cert', files.cert);
  let key: KeyObject;
  try {
    key = createPrivateKey(files.key.content);
  } catch (error: unknown) {
    throw new ConfigError(`--tls-key ${files.key.path}: not a usable PEM private key (${describeError(error)})`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new ConfigError(`--tls-key ${files.key.path} does not match the certificate in --tls-cert ${files.cert.path}`);
  }
  if (new Date(cert.validTo) < now) {
    throw new ConfigError(`--tls-cert ${files.cert.path}: the certificate expired on ${new Date(cert.validTo).toISOString()}`);
  }
  if (files.clientCa !== undefined) certificate('--tls-client-ca', files.clientCa);
  const tls: ServerTlsOptions = { cert: files.cert.content.toString('utf8'), key: files.key.content.toString('utf8') };
  if (files.clientCa !== undefined) tls.clientCa = files.clientCa.content.toString('utf8');
  try {
    createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }) });
  } catch (error: unknown) {
    const which = tls.clientCa === undefined ? '--tls-cert/--tls-key' : '--tls-cert/--tls-key/--tls-client-ca';
    throw new ConfigError(`${which}: TLS rejects these files (${describeError(error)})`);
  }
  return tls;
}

/** Insecure without TLS; with a client CA, client certificates are required and verified against it. */
export function serverCredentials(tls: ServerTlsOptions | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const pair = { private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) };
  if (tls.clientCa === undefined) return grpc.ServerCredentials.createSsl(null, [pair], false);
  return grpc.ServerCredentials.createSsl(Buffer.from(tls.clientCa), [pair], true);
}
