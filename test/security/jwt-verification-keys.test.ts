import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { ConfigError } from '../../src/errors.js';
import { importVerificationKeys, parseAlgorithmList, secretBytes, type JwsAlgorithm, type JwtKeyFile } from '../../src/security/jwt-verification-keys.js';

const publicKeyFile = (content: string | Buffer): JwtKeyFile => ({ flag: '--jwt-public-key', path: 'keys/jwt.pem', content: Buffer.from(content) });
const secretFile = (content: string | Buffer): JwtKeyFile => ({ flag: '--jwt-secret-file', path: 'keys/secret', content: Buffer.from(content) });

async function rejects(file: JwtKeyFile, algorithms: JwsAlgorithm[] | undefined, message: RegExp): Promise<void> {
  await assert.rejects(importVerificationKeys(file, algorithms), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return true;
  });
}

test('the default algorithm is the key\'s own', async () => {
  const table: Array<[string, Parameters<typeof generateKeyPair>[0], JwsAlgorithm]> = [
    ['EC P-256', 'ES256', 'ES256'],
    ['EC P-384', 'ES384', 'ES384'],
    ['RSA', 'RS256', 'RS256'],
    ['Ed25519', 'EdDSA', 'EdDSA'],
  ];
  for (const [shape, generate, alg] of table) {
    const { publicKey } = await generateKeyPair(generate, { extractable: true });
    const keys = await importVerificationKeys(publicKeyFile(`# comment line\n${await exportSPKI(publicKey)}\n`), undefined);
    assert.deepEqual(keys.algorithms, [alg], shape);
    assert.equal(keys.description, `${alg} (${shape} public key)`);
    assert.equal(keys.candidates({ alg }).length, 1);
    assert.equal(keys.candidates({ alg: 'HS256' }).length, 0);
  }
  assert.deepEqual((await importVerificationKeys(secretFile('s'.repeat(32)), undefined)).algorithms, ['HS256']);
});

test('--jwt-algorithms is parsed strictly', () => {
  assert.deepEqual(parseAlgorithmList('ES256, RS256,ES256'), ['ES256', 'RS256']);
  assert.throws(() => parseAlgorithmList('none'), /--jwt-algorithms: "none" \(unsigned tokens\) is never allowed/);
  assert.throws(() => parseAlgorithmList('ES256,'), /--jwt-algorithms must be a comma-separated list of algorithms \(e\.g\. ES256 or ES256,RS256\), got "ES256,"/);
  assert.throws(() => parseAlgorithmList('ES257'), /--jwt-algorithms: unknown algorithm "ES257"; known: ES256, ES384/);
});

test('a key that does not fit an allowed algorithm is refused at start-up', async () => {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  const spki = await exportSPKI(publicKey);
  await rejects(publicKeyFile(spki), ['ES384'], /^--jwt-algorithms ES384 does not fit the key in --jwt-public-key keys\/jwt\.pem \(EC P-256; fits ES256\)$/);
  await rejects(publicKeyFile(spki), ['HS256'], /^--jwt-algorithms HS256 needs an HMAC secret \(--jwt-secret-file\); --jwt-public-key keys\/jwt\.pem is a public key/);
  await rejects(secretFile('s'.repeat(32)), ['ES256'], /^--jwt-algorithms ES256 needs a public key \(--jwt-public-key\); --jwt-secret-file keys\/secret is an HMAC secret/);
});

test('files that are not a usable public key are named with what is wrong', async () => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  await rejects(publicKeyFile(await exportPKCS8(privateKey)), undefined, /^--jwt-public-key keys\/jwt\.pem holds a private key; give the public key/);
  await rejects(publicKeyFile('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'), undefined, /holds a certificate; give its public key \(openssl x509 -pubkey -noout -in keys\/jwt\.pem\)/);
  await rejects(publicKeyFile('hello'), undefined, /^--jwt-public-key keys\/jwt\.pem is neither a PEM public key \("-----BEGIN PUBLIC KEY-----"\) nor a JWKS JSON file/);
  await rejects(publicKeyFile('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), undefined, /^--jwt-public-key keys\/jwt\.pem: cannot parse the PEM public key/);
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await rejects(publicKeyFile(small), undefined, /^--jwt-public-key keys\/jwt\.pem: the key is a 1024-bit RSA key; at least 2048 bits are required$/);
  const secp256k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
  await rejects(publicKeyFile(secp256k1), undefined, /unsupported key type EC secp256k1/);
});

test('JWKS files: structure, private or symmetric keys, missing alg, and algorithms without a key', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  await rejects(publicKeyFile('{ "keys": '), undefined, /^--jwt-public-key keys\/jwt\.pem is not valid JSON/);
  await rejects(publicKeyFile('{ "kty": "EC" }'), undefined, /a JWKS file must be a JSON object with a "keys" array$/);
  await rejects(publicKeyFile('{ "keys": [] }'), undefined, /the JWKS has no keys$/);
  await rejects(publicKeyFile(JSON.stringify({ keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'a' }] })), undefined, /keys\[0\] \(kid "a"\) is a private key/);
  await rejects(publicKeyFile(JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })), undefined, /keys\[0\] is a symmetric \(oct\) key; give an HMAC secret with --jwt-secret-file instead/);
  await rejects(publicKeyFile(JSON.stringify({ keys: [jwk] })), undefined, /keys\[0\] has no "alg"; name the algorithms with --jwt-algorithms$/);
  await rejects(publicKeyFile(JSON.stringify({ keys: [{ ...jwk, alg: 'RS256' }] })), undefined, /keys\[0\] says "alg": "RS256", which does not fit its EC P-256 key/);
  await rejects(publicKeyFile(JSON.stringify({ keys: [{ ...jwk, alg: 'ES256' }] })), ['ES256', 'RS256'], /^--jwt-algorithms names RS256, but no key in --jwt-public-key keys\/jwt\.pem fits it \(keys\[0\] EC P-256 ES256\)$/);
  await rejects(publicKeyFile(JSON.stringify({ keys: [{ ...jwk, x: 'AAAA', alg: 'ES256' }] })), undefined, /cannot import keys\[0\] for ES256/);
  const keys = await importVerificationKeys(publicKeyFile(JSON.stringify({ keys: [jwk] })), ['ES256']);
  assert.deepEqual(keys.algorithms, ['ES256']);
});

test('HMAC secrets: one trailing newline removed, a minimum length per algorithm', async () => {
  assert.equal(secretBytes(Buffer.from('abc\n')).toString(), 'abc');
  assert.equal(secretBytes(Buffer.from('abc\r\n')).toString(), 'abc');
  assert.equal(secretBytes(Buffer.from('abc\n\n')).toString(), 'abc\n');
  assert.equal(secretBytes(Buffer.from('abc')).toString(), 'abc');
  await rejects(secretFile(`${'s'.repeat(31)}\n`), undefined, /^--jwt-secret-file keys\/secret: the secret is 31 bytes; HS256 needs at least 32 \(after one trailing newline is removed\)$/);
  await rejects(secretFile('s'.repeat(40)), ['HS256', 'HS384'], /the secret is 40 bytes; HS384 needs at least 48/);
  assert.deepEqual((await importVerificationKeys(secretFile('s'.repeat(64)), ['HS256', 'HS512'])).algorithms, ['HS256', 'HS512']);
});
