// reflect-metadata must be loaded before @peculiar/x509 (its dependency injection needs Reflect).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { tempDir } from './cli.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** Test-time TLS and JWT material (nothing of it is committed): file paths and PEM text. */
export interface TestSecurityMaterial {
  dir: string;
  files: { ca: string; server: string; serverKey: string; client: string; clientKey: string; jwtPublic: string; jwtPrivate: string };
  pem: { ca: string; server: string; serverKey: string; client: string; clientKey: string; jwtPublic: string };
  /** ES256 signing key for tokens the server accepts. */
  jwtSigningKey: CryptoKey;
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

async function ecKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privatePem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey), 'PRIVATE KEY');
}

async function leaf(
  ca: { cert: x509.X509Certificate; keys: CryptoKeyPair },
  name: string,
  usage: string,
  sans: x509.JsonGeneralName[],
  serialNumber: string,
): Promise<{ cert: string; key: string }> {
  const keys = await ecKeys();
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension([usage]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${name}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + DAY_MS),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await privatePem(keys.privateKey) };
}

/**
 * A CA, a server certificate (SANs localhost, 127.0.0.1; serverAuth), a client certificate
 * (clientAuth) and an ES256 JWT key pair, all P-256, written into a fresh temporary directory
 * that is removed when the test process exits.
 */
export async function makeSecurityMaterial(caName = 'grpc-stream-bench test CA'): Promise<TestSecurityMaterial> {
  const dir = tempDir();
  process.once('exit', () => rmSync(dir, { recursive: true, force: true })); // throwaway keys do not outlive the test
  const caKeys = await ecKeys();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${caName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + DAY_MS),
    signingAlgorithm: SIGNING,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = { cert: caCert, keys: caKeys };
  const server = await leaf(ca, 'localhost', x509.ExtendedKeyUsage.serverAuth, [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }], '02');
  const client = await leaf(ca, 'bench-client', x509.ExtendedKeyUsage.clientAuth, [], '03');
  const jwt = await generateKeyPair('ES256', { extractable: true });

  const pem = {
    ca: caCert.toString('pem'),
    server: server.cert,
    serverKey: server.key,
    client: client.cert,
    clientKey: client.key,
    jwtPublic: await exportSPKI(jwt.publicKey),
  };
  const files = {
    ca: join(dir, 'ca.pem'),
    server: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    client: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
    jwtPublic: join(dir, 'jwt-public.pem'),
    jwtPrivate: join(dir, 'jwt-private.pem'),
  };
  for (const role of ['ca', 'server', 'serverKey', 'client', 'clientKey', 'jwtPublic'] as const) writeFileSync(files[role], `${pem[role]}\n`, { mode: 0o600 });
  writeFileSync(files.jwtPrivate, `${await exportPKCS8(jwt.privateKey)}\n`, { mode: 0o600 });
  return { dir, files, pem, jwtSigningKey: jwt.privateKey };
}
