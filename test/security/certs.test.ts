import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import { ConfigError } from '../../src/errors.js';
import {
  CLOCK_SKEW_MS,
  generateSecurityMaterial,
  parseServerNames,
  SECURITY_FILE_ROLES,
  SECURITY_FILES,
  writeSecurityMaterial,
  type SecurityMaterial,
  type SecurityMaterialOptions,
} from '../../src/security/certs.js';
import { tempDir } from '../helpers/cli.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 86_400_000;
// Whole seconds (certificates carry no milliseconds); real time, since the handshake tests check validity.
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const EXTRA_HOSTS = ['bench.internal,10.1.2.3', '2001:DB8:0::1', '*.svc.example'];

const material = await generateSecurityMaterial({ hosts: EXTRA_HOSTS, days: 7, clientName: 'load generator 1', now: NOW });
const other = await generateSecurityMaterial({ hosts: [], days: 1, clientName: 'intruder' });

const certs = (m: SecurityMaterial): { ca: X509Certificate; server: X509Certificate; client: X509Certificate } => ({
  ca: new X509Certificate(m.pem.ca),
  server: new X509Certificate(m.pem.server),
  client: new X509Certificate(m.pem.client),
});
const { ca, server, client } = certs(material);
const rejectsConfig = (run: () => unknown, pattern: RegExp): void => {
  assert.throws(run, (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && pattern.test(e.message));
};

describe('generateSecurityMaterial: certificates', () => {
  it('makes a self-signed CA: CA:true critical, keyCertSign|cRLSign critical', () => {
    assert.equal(ca.ca, true);
    assert.equal(ca.subject, ca.issuer);
    assert.equal(ca.verify(ca.publicKey), true);
    const parsed = new x509.X509Certificate(material.pem.ca);
    const basic = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.equal(basic?.ca, true);
    assert.equal(basic?.critical, true);
    const usage = parsed.getExtension(x509.KeyUsagesExtension);
    assert.equal(usage?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    assert.equal(usage?.critical, true);
  });

  it('signs a server certificate for localhost, 127.0.0.1, ::1 and every --hosts name, serverAuth only', () => {
    assert.equal(server.ca, false);
    assert.equal(server.verify(ca.publicKey), true);
    assert.equal(server.checkIssued(ca), true);
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkIP('::1'), '::1');
    assert.equal(server.checkHost('bench.internal'), 'bench.internal');
    assert.equal(server.checkIP('10.1.2.3'), '10.1.2.3');
    assert.equal(server.checkIP('2001:db8::1'), '2001:db8::1');
    assert.equal(server.checkHost('api.svc.example'), '*.svc.example');
    assert.equal(server.checkHost('example.com'), undefined);
    assert.equal(server.checkIP('10.1.2.4'), undefined);
    assert.deepEqual(server.keyUsage, [SERVER_AUTH]);
    assert.deepEqual(
      material.serverNames.map((n) => `${n.type}:${n.value}`),
      ['dns:localhost', 'ip:127.0.0.1', 'ip:::1', 'dns:bench.internal', 'ip:10.1.2.3', 'ip:2001:db8::1', 'dns:*.svc.example'],
    );
  });

  it('signs a client certificate with clientAuth and the --client-name CN', () => {
    assert.equal(client.ca, false);
    assert.equal(client.verify(ca.publicKey), true);
    assert.equal(client.checkIssued(ca), true);
    assert.deepEqual(client.keyUsage, [CLIENT_AUTH]);
    assert.equal(client.subject, 'CN=load generator 1');
    assert.equal(client.issuer, ca.subject);
  });

  it('is not issued by another generated CA', () => {
    const foreign = certs(other);
    assert.equal(client.checkIssued(foreign.ca), false);
    assert.equal(client.verify(foreign.ca.publicKey), false);
    assert.equal(foreign.client.verify(ca.publicKey), false);
    assert.notEqual(ca.subject, foreign.ca.subject);
  });

  it('is valid for --days from now, starting a minute back', () => {
    for (const cert of [ca, server, client]) {
      assert.equal(new Date(cert.validFrom).getTime(), NOW.getTime() - CLOCK_SKEW_MS);
      assert.equal(new Date(cert.validTo).getTime(), NOW.getTime() + 7 * DAY_MS);
    }
    assert.equal(material.notAfter.getTime(), NOW.getTime() + 7 * DAY_MS);
    assert.equal(material.days, 7);
  });

  it('gives each certificate a random positive 16-byte serial number', () => {
    const serials = [ca, server, client, ...Object.values(certs(other))].map((cert) => cert.serialNumber);
    for (const serial of serials) assert.match(serial, /^[0-7][0-9A-F]{31}$/);
    assert.equal(new Set(serials).size, serials.length);
  });

  it('uses ECDSA P-256 keys in PKCS#8, matching their certificates', () => {
    for (const [cert, key] of [
      [ca, material.pem.caKey],
      [server, material.pem.serverKey],
      [client, material.pem.clientKey],
    ] as const) {
      assert.match(key, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      const privateKey = createPrivateKey(key);
      assert.equal(privateKey.asymmetricKeyType, 'ec');
      assert.equal(privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.equal(cert.checkPrivateKey(privateKey), true);
    }
    assert.equal(server.checkPrivateKey(createPrivateKey(material.pem.clientKey)), false);
    for (const pem of [material.pem.ca, material.pem.server, material.pem.client]) {
      assert.match(pem, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    }
  });
});

describe('generateSecurityMaterial: JWT key pair', () => {
  it('is PKCS#8 / SPKI ES256 that jose signs and verifies with', async () => {
    assert.match(material.pem.jwtPrivate, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(material.pem.jwtPublic, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    assert.equal(createPublicKey(material.pem.jwtPublic).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const privateKey = await importPKCS8(material.pem.jwtPrivate, 'ES256');
    const publicKey = await importSPKI(material.pem.jwtPublic, 'ES256');
    const jwt = await new SignJWT({ role: 'bench' }).setProtectedHeader({ alg: 'ES256' }).setSubject('client-1').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, { algorithms: ['ES256'] });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, 'client-1');
    assert.equal(payload.role, 'bench');
    const foreignKey = await importSPKI(other.pem.jwtPublic, 'ES256');
    await assert.rejects(jwtVerify(jwt, foreignKey, { algorithms: ['ES256'] }), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('is its own key, not one of the certificates\'', () => {
    const jwtPublic = createPublicKey(material.pem.jwtPublic).export({ type: 'spki', format: 'der' });
    for (const cert of [ca, server, client]) assert.notDeepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), jwtPublic);
  });
});

interface Handshake {
  clientAuthorized: boolean;
  serverAuthorized: boolean | null;
  serverAuthorizationError: string | null;
  serverError: Error | null;
  clientError: Error | null;
  reply: string;
}

/**
 * A TLS server with `material`'s server certificate that asks for a client certificate from `material`'s CA
 * (and with `rejectUnauthorized`, requires one); a client that trusts the CA and presents `clientPem`/`clientKey`.
 */
async function handshake(clientPem: string, clientKey: string, rejectUnauthorized = true): Promise<Handshake> {
  const result: Handshake = { clientAuthorized: false, serverAuthorized: null, serverAuthorizationError: null, serverError: null, clientError: null, reply: '' };
  const options = { cert: material.pem.server, key: material.pem.serverKey, ca: material.pem.ca, requestCert: true, rejectUnauthorized };
  const tlsServer = createServer(options, (socket: TLSSocket) => {
    result.serverAuthorized = socket.authorized;
    result.serverAuthorizationError = socket.authorizationError === undefined ? null : String(socket.authorizationError);
    socket.end('hello');
  });
  tlsServer.on('tlsClientError', (error) => (result.serverError = error));
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const { port } = tlsServer.address() as { port: number };
  try {
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: material.pem.ca, cert: clientPem, key: clientKey }, () => {
        result.clientAuthorized = socket.authorized;
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (result.reply += chunk));
      socket.on('error', (error) => (result.clientError = error));
      socket.on('close', () => resolve());
    });
  } finally {
    await new Promise((resolve) => tlsServer.close(resolve));
  }
  return result;
}

describe('generated material in a real TLS handshake', () => {
  it('mutual TLS: each side authorizes the other', async () => {
    const result = await handshake(material.pem.client, material.pem.clientKey);
    assert.equal(result.clientError, null);
    assert.equal(result.serverError, null);
    assert.equal(result.clientAuthorized, true);
    assert.equal(result.serverAuthorized, true);
    assert.equal(result.reply, 'hello');
  });

  it('rejects a client certificate from another generated CA', async () => {
    const result = await handshake(other.pem.client, other.pem.clientKey);
    // Node checks the peer after the TLS handshake and destroys the socket without an alert:
    // the connection never reaches the server's handler, and the client only sees it close.
    assert.equal(result.serverAuthorized, null, 'the server never accepted the connection');
    assert.equal(result.reply, '');
  });

  it('says why: the client certificate is not signed by the trusted CA', async () => {
    const result = await handshake(other.pem.client, other.pem.clientKey, false);
    assert.equal(result.serverAuthorized, false);
    assert.equal(result.serverAuthorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(result.clientAuthorized, true, 'the server certificate is still fine');
  });
});

describe('parseServerNames', () => {
  const valid: Array<[string[], string[]]> = [
    [[], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1']],
    [['Bench.Internal'], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1', 'dns:bench.internal']],
    [['a.example, b.example', 'c-1.example'], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1', 'dns:a.example', 'dns:b.example', 'dns:c-1.example']],
    [['localhost,127.0.0.1,0:0:0:0:0:0:0:1'], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1']],
    [['[fd00::2]', '::ffff:10.0.0.1'], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1', 'ip:fd00::2', 'ip:::ffff:a00:1']],
    [['*.svc.example', 'xn--bcher-kva.example'], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1', 'dns:*.svc.example', 'dns:xn--bcher-kva.example']],
    [[`${'a'.repeat(63)}.example`], ['dns:localhost', 'ip:127.0.0.1', 'ip:::1', `dns:${'a'.repeat(63)}.example`]],
  ];
  for (const [hosts, expected] of valid) {
    it(`accepts ${JSON.stringify(hosts)}`, () => {
      assert.deepEqual(
        parseServerNames(hosts).map((n) => `${n.type}:${n.value}`),
        expected,
      );
    });
  }

  const invalid: Array<[string[], RegExp]> = [
    [['bad host!'], /^--hosts must be DNS names \(.*\) or IP addresses, got "bad host!"$/],
    [['good.example,bad_host'], /got "bad_host" \(in "good\.example,bad_host"\)$/],
    [['a,,b'], /got "" \(in "a,,b"\)$/],
    [[''], /got ""$/],
    [['-lead.example'], /got "-lead\.example"$/],
    [['trail-.example'], /got "trail-\.example"$/],
    [['localhost.'], /got "localhost\."$/],
    [[`${'a'.repeat(64)}.example`], /1 to 63 characters each/],
    [[Array.from({ length: 130 }, () => 'a').join('.')], /at most 253 in all/],
    [['256.1.1.1'], /got "256\.1\.1\.1"$/],
    [['127.000.0.1'], /got "127\.000\.0\.1"$/],
    [['1.2.3'], /got "1\.2\.3"$/],
    [['*.example'], /got "\*\.example"$/],
    [['a.*.example'], /got "a\.\*\.example"$/],
    [['fe80::1%eth0'], /zone index .* got "fe80::1%eth0"$/],
    [['1::2::3'], /got "1::2::3"$/],
  ];
  for (const [hosts, message] of invalid) {
    it(`rejects ${JSON.stringify(hosts)}`, () => rejectsConfig(() => parseServerNames(hosts), message));
  }
});

describe('generateSecurityMaterial: options', () => {
  const base: SecurityMaterialOptions = { hosts: [], days: 30, clientName: 'c' };
  const invalid: Array<[string, Partial<SecurityMaterialOptions>, RegExp]> = [
    ['days 0', { days: 0 }, /^--days must be an integer from 1 to 3650, got 0$/],
    ['days 3651', { days: 3651 }, /^--days must be an integer from 1 to 3650, got 3651$/],
    ['days 1.5', { days: 1.5 }, /^--days must be an integer from 1 to 3650, got 1\.5$/],
    ['an empty client name', { clientName: '' }, /^--client-name must be 1 to 64 characters, not blank, without control characters, got ""$/],
    ['a 65-character client name', { clientName: 'x'.repeat(65) }, /--client-name must be 1 to 64 characters/],
    ['a client name with a newline', { clientName: 'a\nb' }, /--client-name .* got "a\\nb"$/],
    ['a bad host', { hosts: ['no spaces.example'] }, /^--hosts must be .* got "no spaces\.example"$/],
  ];
  for (const [name, change, message] of invalid) {
    it(`rejects ${name}`, async () => {
      await assert.rejects(generateSecurityMaterial({ ...base, ...change }), (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && message.test(e.message));
    });
  }

  it('accepts 1 and 3650 days', async () => {
    for (const days of [1, 3650]) {
      const m = await generateSecurityMaterial({ ...base, days, now: NOW });
      assert.equal(new Date(new X509Certificate(m.pem.server).validTo).getTime(), NOW.getTime() + days * DAY_MS);
    }
  });

  it('puts a client name with DN syntax in one CN, escaped', async () => {
    const m = await generateSecurityMaterial({ ...base, clientName: 'a, O=evil+CN=x' });
    const subject = new x509.X509Certificate(m.pem.client).subjectName;
    assert.deepEqual(subject.getField('CN'), ['a, O=evil+CN=x']);
    assert.deepEqual(subject.getField('O'), []);
  });
});

describe('writeSecurityMaterial', () => {
  const modeOf = (path: string): number => statSync(path).mode & 0o777;

  it('creates the directory and writes the 8 files with 0600 private keys, 0644 the rest, whatever the umask', () => {
    for (const umask of [0o022, 0o077, 0o000]) {
      const dir = join(tempDir(), 'nested', 'certs');
      const previous = process.umask(umask);
      try {
        const written = writeSecurityMaterial(dir, material, { force: false });
        assert.deepEqual(
          written.map((f) => f.path),
          SECURITY_FILE_ROLES.map((role) => join(dir, SECURITY_FILES[role])),
        );
      } finally {
        process.umask(previous);
      }
      assert.deepEqual(readdirSync(dir).sort(), Object.values(SECURITY_FILES).sort(), 'no temporary files left');
      for (const role of SECURITY_FILE_ROLES) {
        const path = join(dir, SECURITY_FILES[role]);
        assert.equal(readFileSync(path, 'utf8'), material.pem[role]);
        const isPrivate = ['caKey', 'serverKey', 'clientKey', 'jwtPrivate'].includes(role);
        assert.equal(modeOf(path), isPrivate ? 0o600 : 0o644, `${role} with umask ${umask.toString(8)}`);
      }
    }
  });

  it('refuses to overwrite, naming the existing files, and writes nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'server-key.pem'), 'mine');
    symlinkSync(join(dir, 'nowhere'), join(dir, 'ca.pem'));
    rejectsConfig(() => writeSecurityMaterial(dir, material, { force: false }), /^--out .* already has ca\.pem, server-key\.pem; pass --force to overwrite, or choose another directory$/);
    assert.equal(readFileSync(join(dir, 'server-key.pem'), 'utf8'), 'mine');
    assert.equal(existsSync(join(dir, 'client.pem')), false);
  });

  it('overwrites with force, and the replaced key gets mode 0600', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'server-key.pem'), 'old', { mode: 0o644 });
    writeSecurityMaterial(dir, material, { force: true });
    assert.equal(readFileSync(join(dir, 'server-key.pem'), 'utf8'), material.pem.serverKey);
    assert.equal(modeOf(join(dir, 'server-key.pem')), 0o600);
  });

  it('rejects an --out that is a file', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    rejectsConfig(() => writeSecurityMaterial(file, material, { force: true }), /--out .*file exists and is not a directory/);
  });
});
