import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { base64url, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { createJwtVerifier, parseBearer, rolesOf, type AuthDecision, type JwtVerifierOptions } from '../../src/security/jwt-verifier.js';
import { importVerificationKeys, type JwsAlgorithm } from '../../src/security/jwt-verification-keys.js';

const ISSUER = 'bench-issuer';
const AUDIENCE = 'route-chat';
const now = (): number => Math.floor(Date.now() / 1000);
const claims = (extra: JWTPayload = {}): JWTPayload => ({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', roles: ['bench'], iat: now(), exp: now() + 300, ...extra });

async function sign(payload: JWTPayload, key: CryptoKey | Uint8Array, alg = 'ES256', kid?: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(kid === undefined ? { alg } : { alg, kid }).sign(key);
}

function unsigned(payload: JWTPayload): string {
  const part = (value: object): string => base64url.encode(JSON.stringify(value));
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

async function verifierFor(file: { flag: '--jwt-public-key' | '--jwt-secret-file'; content: string | Buffer }, options: Partial<JwtVerifierOptions> = {}, algorithms?: JwsAlgorithm[]) {
  const keys = await importVerificationKeys({ flag: file.flag, path: 'key-file', content: Buffer.from(file.content) }, algorithms);
  return createJwtVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, clockToleranceS: 5, requiredRole: 'bench', rolesClaim: 'roles', ...options });
}

const refused = (code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED', reason: string): AuthDecision => ({ accepted: false, code, reason });

test('parseBearer takes one "Bearer <token>" value and names what is wrong otherwise', () => {
  assert.deepEqual(parseBearer([]), { reason: 'missing bearer token' });
  assert.deepEqual(parseBearer(['Bearer abc.def.ghi']), { token: 'abc.def.ghi' });
  assert.deepEqual(parseBearer(['bearer   abc.def.ghi']), { token: 'abc.def.ghi' }, 'the scheme is case-insensitive');
  for (const bad of ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b', 'abc.def.ghi']) {
    assert.deepEqual(parseBearer([bad]), { reason: 'malformed authorization header' }, JSON.stringify(bad));
  }
  assert.deepEqual(parseBearer(['Bearer a.b.c', 'Bearer d.e.f']), { reason: 'malformed authorization header' }, 'two values');
  assert.deepEqual(parseBearer([Buffer.from('Bearer a.b.c')]), { reason: 'malformed authorization header' });
  assert.deepEqual(parseBearer([`Bearer ${'a'.repeat(9000)}`]), { reason: 'malformed token' });
});

test('rolesOf reads an array of strings or a space-separated string', () => {
  assert.deepEqual(rolesOf({ roles: ['bench', 7, 'admin'] }, 'roles'), ['bench', 'admin']);
  assert.deepEqual(rolesOf({ scope: 'read  bench write' }, 'scope'), ['read', 'bench', 'write']);
  assert.deepEqual(rolesOf({ roles: { bench: true } }, 'roles'), []);
  assert.deepEqual(rolesOf({}, 'roles'), []);
});

test('ES256 verifier: a valid token passes with its subject; each bad token is refused with its reason', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');
  const verifier = await verifierFor({ flag: '--jwt-public-key', content: await exportSPKI(publicKey) });
  assert.match(verifier.description, /^JWT ES256 \(EC P-256 public key\), issuer "bench-issuer", audience "route-chat", role "bench" in claim "roles"$/);
  const bearer = (token: string): string[] => [`Bearer ${token}`];

  assert.deepEqual(await verifier.authorize(bearer(await sign(claims(), privateKey))), { accepted: true, subject: 'alice' });
  assert.deepEqual(await verifier.authorize(bearer(await sign(claims({ sub: undefined }), privateKey))), { accepted: true, subject: undefined });
  assert.deepEqual(await verifier.authorize(bearer(await sign(claims({ exp: now() - 3 }), privateKey))), { accepted: true, subject: 'alice' }, 'within the 5 s clock tolerance');

  const good = await sign(claims(), privateKey);
  const [header, , signature] = good.split('.') as [string, string, string];
  const tampered = `${header}.${base64url.encode(JSON.stringify(claims({ sub: 'mallory' })))}.${signature}`;
  const cases: Array<[string, string[], AuthDecision]> = [
    ['missing', [], refused('UNAUTHENTICATED', 'missing bearer token')],
    ['malformed header', ['Token abc'], refused('UNAUTHENTICATED', 'malformed authorization header')],
    ['not a JWT', bearer('not-a-jwt'), refused('UNAUTHENTICATED', 'malformed token')],
    ['garbage parts', bearer('a.b.c'), refused('UNAUTHENTICATED', 'malformed token')],
    ['bad signature', bearer(await sign(claims(), other.privateKey)), refused('UNAUTHENTICATED', 'token signature invalid')],
    ['tampered payload', bearer(tampered), refused('UNAUTHENTICATED', 'token signature invalid')],
    ['alg none', bearer(unsigned(claims())), refused('UNAUTHENTICATED', 'token algorithm not allowed (none; allowed: ES256)')],
    ['HS256', bearer(await sign(claims(), randomBytes(32), 'HS256')), refused('UNAUTHENTICATED', 'token algorithm not allowed (HS256; allowed: ES256)')],
    ['expired', bearer(await sign(claims({ exp: now() - 60 }), privateKey)), refused('UNAUTHENTICATED', 'token expired')],
    ['nbf in the future', bearer(await sign(claims({ nbf: now() + 60 }), privateKey)), refused('UNAUTHENTICATED', 'token not yet valid')],
    ['wrong issuer', bearer(await sign(claims({ iss: 'someone-else' }), privateKey)), refused('UNAUTHENTICATED', 'token issuer mismatch')],
    ['no issuer', bearer(await sign(claims({ iss: undefined }), privateKey)), refused('UNAUTHENTICATED', 'token issuer missing')],
    ['wrong audience', bearer(await sign(claims({ aud: 'other-service' }), privateKey)), refused('UNAUTHENTICATED', 'token audience mismatch')],
    ['missing role', bearer(await sign(claims({ roles: ['reader'] }), privateKey)), refused('PERMISSION_DENIED', 'role bench required')],
    ['no roles claim', bearer(await sign(claims({ roles: undefined }), privateKey)), refused('PERMISSION_DENIED', 'role bench required')],
    ['subject not ASCII (it becomes metadata)', bearer(await sign(claims({ sub: 'zoë' }), privateKey)), refused('UNAUTHENTICATED', 'token subject invalid')],
    ['subject with a newline', bearer(await sign(claims({ sub: 'a\nx-admin: 1' }), privateKey)), refused('UNAUTHENTICATED', 'token subject invalid')],
  ];
  for (const [name, authorization, expected] of cases) assert.deepEqual(await verifier.authorize(authorization), expected, name);
});

test('the audience may be one of a list; roles may come from another claim as a string', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const verifier = await verifierFor({ flag: '--jwt-public-key', content: await exportSPKI(publicKey) }, { rolesClaim: 'scope' });
  const token = await sign(claims({ aud: ['x', AUDIENCE], roles: undefined, scope: 'read bench' }), privateKey);
  assert.deepEqual(await verifier.authorize([`Bearer ${token}`]), { accepted: true, subject: 'alice' });
});

test('without issuer, audience or role options only signature and times are checked', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const verifier = await verifierFor({ flag: '--jwt-public-key', content: await exportSPKI(publicKey) }, { issuer: undefined, audience: undefined, requiredRole: undefined });
  assert.equal(verifier.description, 'JWT ES256 (EC P-256 public key)');
  assert.deepEqual(await verifier.authorize([`Bearer ${await sign({ sub: 'bob', exp: now() + 60 }, privateKey)}`]), { accepted: true, subject: 'bob' });
  assert.deepEqual(await verifier.authorize([`Bearer ${await sign({ sub: 'bob', exp: now() - 60 }, privateKey)}`]), refused('UNAUTHENTICATED', 'token expired'));
});

test('RS256, PS256 and EdDSA public keys', async () => {
  for (const [alg, algorithms] of [['RS256', undefined], ['PS256', ['PS256'] as JwsAlgorithm[]], ['EdDSA', undefined]] as const) {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    const verifier = await verifierFor({ flag: '--jwt-public-key', content: await exportSPKI(publicKey) }, {}, algorithms);
    assert.deepEqual(await verifier.authorize([`Bearer ${await sign(claims(), privateKey, alg)}`]), { accepted: true, subject: 'alice' }, alg);
  }
});

test('an allow-list of two algorithms for one RSA key accepts both, and names them when refusing', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const verifier = await verifierFor({ flag: '--jwt-public-key', content: await exportSPKI(publicKey) }, {}, ['RS256', 'PS256']);
  const pkcs8 = await exportPKCS8(privateKey);
  for (const alg of ['RS256', 'PS256']) {
    assert.equal((await verifier.authorize([`Bearer ${await sign(claims(), await importPKCS8(pkcs8, alg), alg)}`])).accepted, true, alg);
  }
  assert.deepEqual(await verifier.authorize([`Bearer ${await sign(claims(), randomBytes(48), 'HS384')}`]), refused('UNAUTHENTICATED', 'token algorithm not allowed (HS384; allowed: RS256, PS256)'));
});

test('HS256 secret: one trailing newline is not part of it; tokens of other secrets or algorithms are refused', async () => {
  const secret = randomBytes(32);
  secret[31] = 0x41; // random bytes ending in '\n' would lose it as the file's trailing newline
  const verifier = await verifierFor({ flag: '--jwt-secret-file', content: Buffer.concat([secret, Buffer.from('\n')]) });
  assert.match(verifier.description, /^JWT HS256 \(32-byte HMAC secret\)/);
  assert.deepEqual(await verifier.authorize([`Bearer ${await sign(claims(), secret, 'HS256')}`]), { accepted: true, subject: 'alice' });
  assert.deepEqual(await verifier.authorize([`Bearer ${await sign(claims(), randomBytes(32), 'HS256')}`]), refused('UNAUTHENTICATED', 'token signature invalid'));
  const { privateKey } = await generateKeyPair('ES256');
  assert.deepEqual(await verifier.authorize([`Bearer ${await sign(claims(), privateKey)}`]), refused('UNAUTHENTICATED', 'token algorithm not allowed (ES256; allowed: HS256)'));
});

test('JWKS: keys found by kid and alg; without a kid every fitting key is tried (rotation)', async () => {
  const k1 = await generateKeyPair('ES256', { extractable: true });
  const k2 = await generateKeyPair('ES256', { extractable: true });
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('ES256');
  const jwks = {
    keys: [
      { ...(await exportJWK(k1.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(k2.publicKey)), kid: 'k2', alg: 'ES256' },
      { ...(await exportJWK(rsa.publicKey)), kid: 'r1', alg: 'RS256' },
      { ...(await exportJWK((await generateKeyPair('RSA-OAEP', { extractable: true })).publicKey)), kid: 'enc', use: 'enc' },
    ],
  };
  const verifier = await verifierFor({ flag: '--jwt-public-key', content: JSON.stringify(jwks) });
  assert.match(verifier.description, /^JWT ES256, RS256 \(JWKS, 3 keys\)/);
  const check = async (token: string): Promise<AuthDecision> => verifier.authorize([`Bearer ${token}`]);
  assert.equal((await check(await sign(claims(), k1.privateKey, 'ES256', 'k1'))).accepted, true);
  assert.equal((await check(await sign(claims(), k2.privateKey, 'ES256', 'k2'))).accepted, true);
  assert.equal((await check(await sign(claims(), rsa.privateKey, 'RS256', 'r1'))).accepted, true);
  assert.equal((await check(await sign(claims(), k2.privateKey))).accepted, true, 'no kid: k1 fails, k2 fits');
  assert.deepEqual(await check(await sign(claims(), k2.privateKey, 'ES256', 'k1')), refused('UNAUTHENTICATED', 'token signature invalid'));
  assert.deepEqual(await check(await sign(claims(), k1.privateKey, 'ES256', 'k9')), refused('UNAUTHENTICATED', 'token signing key unknown'));
  assert.deepEqual(await check(await sign(claims(), stranger.privateKey)), refused('UNAUTHENTICATED', 'token signature invalid'));
  assert.deepEqual(await check(await sign(claims({ exp: now() - 60 }), k2.privateKey)), refused('UNAUTHENTICATED', 'token expired'), 'a claim failure is not hidden by the key loop');
});
