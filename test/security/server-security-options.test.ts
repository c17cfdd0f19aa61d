import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { resolveServerSecurity, type ServeSecurityFlags } from '../../src/security/server-security-options.js';
import { makeSecurityMaterial, type TestSecurityMaterial } from '../helpers/security-material.js';

let m: TestSecurityMaterial;
let other: TestSecurityMaterial;
before(async () => {
  m = await makeSecurityMaterial();
  other = await makeSecurityMaterial('other test CA');
});

/** Files by name, read from memory: "ca", "server", … of `m`, "other-*" of `other`, or literal text under "text:". */
function files(): Map<string, string> {
  return new Map([
    ['ca', m.pem.ca],
    ['server', m.pem.server],
    ['server-key', m.pem.serverKey],
    ['client', m.pem.client],
    ['jwt', m.pem.jwtPublic],
    ['other-server-key', other.pem.serverKey],
    ['garbage', 'hello'],
    ['secret', `${'x'.repeat(32)}\n`],
  ]);
}

function resolve(flags: ServeSecurityFlags) {
  const contents = files();
  return resolveServerSecurity(flags, (flag, path) => {
    const content = contents.get(path);
    if (content === undefined) throw new ConfigError(`${flag} ${path}: cannot read the file (ENOENT)`);
    return Buffer.from(content);
  });
}

async function refused(flags: ServeSecurityFlags, message: RegExp): Promise<void> {
  await assert.rejects(resolve(flags), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

test('no security flags: plaintext, no auth', async () => {
  assert.deepEqual(await resolve({}), { tls: undefined, auth: undefined });
});

test('TLS, mTLS and JWT flags resolve to PEM text and a verifier', async () => {
  const tls = await resolve({ 'tls-cert': 'server', 'tls-key': 'server-key' });
  assert.equal(tls.tls?.cert.trim(), m.pem.server.trim());
  assert.equal(tls.tls?.clientCa, undefined);
  const mtls = await resolve({ 'tls-cert': 'server', 'tls-key': 'server-key', 'tls-client-ca': 'ca' });
  assert.equal(mtls.tls?.clientCa?.trim(), m.pem.ca.trim());
  const jwt = await resolve({ 'jwt-public-key': 'jwt', 'jwt-issuer': 'i', 'jwt-audience': 'a', 'require-role': 'bench' });
  assert.equal(jwt.auth?.description, 'JWT ES256 (EC P-256 public key), issuer "i", audience "a", role "bench" in claim "roles"');
  const secret = await resolve({ 'jwt-secret-file': 'secret', 'require-role': 'bench', 'roles-claim': 'scope', 'jwt-clock-tolerance': '0' });
  assert.equal(secret.auth?.description, 'JWT HS256 (32-byte HMAC secret), role "bench" in claim "scope"');
});

test('bad combinations are refused with one clear line each', async () => {
  const table: Array<[ServeSecurityFlags, RegExp]> = [
    [{ 'tls-cert': 'server' }, /^--tls-cert and --tls-key go together: --tls-key is missing$/],
    [{ 'tls-key': 'server-key' }, /^--tls-cert and --tls-key go together: --tls-cert is missing$/],
    [{ 'tls-client-ca': 'ca' }, /^--tls-client-ca \(mTLS\) needs TLS: give --tls-cert and --tls-key too$/],
    [{ 'jwt-public-key': 'jwt', 'jwt-secret-file': 'secret' }, /^give either --jwt-public-key or --jwt-secret-file, not both$/],
    [{ 'require-role': 'bench' }, /^--require-role needs a JWT key: give --jwt-public-key or --jwt-secret-file$/],
    [{ 'jwt-issuer': 'i' }, /^--jwt-issuer needs a JWT key/],
    [{ 'jwt-audience': 'a' }, /^--jwt-audience needs a JWT key/],
    [{ 'jwt-algorithms': 'ES256' }, /^--jwt-algorithms needs a JWT key/],
    [{ 'jwt-clock-tolerance': '5' }, /^--jwt-clock-tolerance needs a JWT key/],
    [{ 'jwt-public-key': 'jwt', 'roles-claim': 'scope' }, /^--roles-claim names where --require-role looks: give --require-role too$/],
    [{ 'jwt-public-key': 'jwt', 'jwt-clock-tolerance': '-1' }, /^--jwt-clock-tolerance must be an integer from 0 to 3600 \(seconds\), got "-1"$/],
    [{ 'jwt-public-key': 'jwt', 'jwt-algorithms': 'none' }, /"none" \(unsigned tokens\) is never allowed/],
    [{ 'jwt-public-key': 'jwt', 'jwt-issuer': '' }, /^--jwt-issuer must not be empty$/],
    [{ 'tls-cert': ['server', 'server'], 'tls-key': 'server-key' }, /^--tls-cert was given 2 times; give it once$/],
  ];
  for (const [flags, message] of table) await refused(flags, message);
});

test('unreadable or invalid files name the flag, the file and what is wrong', async () => {
  const table: Array<[ServeSecurityFlags, RegExp]> = [
    [{ 'tls-cert': 'missing.pem', 'tls-key': 'server-key' }, /^--tls-cert missing\.pem: cannot read the file/],
    [{ 'tls-cert': 'garbage', 'tls-key': 'server-key' }, /^--tls-cert garbage is not a PEM certificate \(no "-----BEGIN CERTIFICATE-----"\)$/],
    [{ 'tls-cert': 'server', 'tls-key': 'garbage' }, /^--tls-key garbage: not a usable PEM private key/],
    [{ 'tls-cert': 'server', 'tls-key': 'other-server-key' }, /^--tls-key other-server-key does not match the certificate in --tls-cert server$/],
    [{ 'tls-cert': 'server', 'tls-key': 'server-key', 'tls-client-ca': 'garbage' }, /^--tls-client-ca garbage is not a PEM certificate/],
    [{ 'jwt-public-key': 'garbage' }, /^--jwt-public-key garbage is neither a PEM public key/],
    [{ 'jwt-public-key': 'server' }, /^--jwt-public-key server holds a certificate/],
    [{ 'jwt-public-key': 'jwt', 'jwt-algorithms': 'RS256' }, /^--jwt-algorithms RS256 does not fit the key in --jwt-public-key jwt \(EC P-256; fits ES256\)$/],
    [{ 'jwt-secret-file': 'garbage' }, /^--jwt-secret-file garbage: the secret is 5 bytes; HS256 needs at least 32/],
  ];
  for (const [flags, message] of table) await refused(flags, message);
});
