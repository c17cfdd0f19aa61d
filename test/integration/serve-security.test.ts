import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { base64url, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { RouteNote__Output } from '../../src/generated/stream/RouteNote.js';
import { loadStreamProto } from '../../src/grpc/proto.js';
import { runCli, serverPool, startEchoServe, type ServerProcess } from '../helpers/cli.js';
import { makeSecurityMaterial, type TestSecurityMaterial } from '../helpers/security-material.js';

const ISSUER = 'bench-issuer';
const AUDIENCE = 'route-chat';
const now = (): number => Math.floor(Date.now() / 1000);
const claims = (extra: JWTPayload = {}): JWTPayload => ({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', roles: ['bench'], iat: now(), exp: now() + 300, ...extra });
const sign = (payload: JWTPayload, key: CryptoKey | Uint8Array, alg = 'ES256'): Promise<string> => new SignJWT(payload).setProtectedHeader({ alg }).sign(key);
const unsigned = (payload: JWTPayload): string => `${base64url.encode('{"alg":"none","typ":"JWT"}')}.${base64url.encode(JSON.stringify(payload))}.`;

let m: TestSecurityMaterial;
let other: TestSecurityMaterial;
const servers = serverPool();
before(async () => {
  m = await makeSecurityMaterial();
  other = await makeSecurityMaterial('untrusted test CA');
});
after(() => servers.stopAll());

interface ChatOutcome {
  echoes: number;
  code: string;
  details: string;
}

/** Opens RouteChat with plain grpc-js, sends 5 notes, half-closes, and reports what came back. */
async function chat(target: string, credentials: grpc.ChannelCredentials, authorization?: string): Promise<ChatOutcome> {
  const { StreamService } = loadStreamProto().stream;
  const client = new StreamService(target, credentials, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.use_local_subchannel_pool': 1 });
  try {
    const metadata = new grpc.Metadata();
    if (authorization !== undefined) metadata.set('authorization', authorization);
    const call = client.RouteChat(metadata, { deadline: Date.now() + 20_000 }); // a hang guard
    let echoes = 0;
    call.on('data', (note: RouteNote__Output) => {
      assert.match(note.message, /^Server received: note \d$/);
      echoes++;
    });
    call.on('error', () => undefined);
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on('status', resolve);
      for (let i = 0; i < 5; i++) call.write({ message: `note ${i}` });
      call.end();
    });
    return { echoes, code: grpc.status[status.code], details: status.details };
  } finally {
    client.close();
  }
}

const tlsClient = (): grpc.ChannelCredentials => grpc.credentials.createSsl(Buffer.from(m.pem.ca));
const mtlsClient = (material: TestSecurityMaterial): grpc.ChannelCredentials =>
  grpc.credentials.createSsl(Buffer.from(m.pem.ca), Buffer.from(material.pem.clientKey), Buffer.from(material.pem.client));
const OK: ChatOutcome = { echoes: 5, code: 'OK', details: 'OK' };

/** The TLS + JWT server of the bad-token tests, with everything it writes to stderr from the start on. */
const jwtServer = (): Promise<ServerProcess & { stderr: () => string }> =>
  servers.shared('tls+jwt', async () => {
    const args = ['--tls-cert', m.files.server, '--tls-key', m.files.serverKey, '--jwt-public-key', m.files.jwtPublic, '--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE, '--require-role', 'bench'];
    const server = await startEchoServe(args);
    let stderr = '';
    server.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return Object.assign(server, { stderr: () => stderr });
  }) as Promise<ServerProcess & { stderr: () => string }>;

/** Every token sent to the JWT server, to check none of it reaches the log. */
const tokensSent: string[] = [];

test('TLS + JWT: each bad token is refused with its status and reason and gets no echo; valid clients are still served', async () => {
  const server = await jwtServer();
  const hs256 = randomBytes(32);
  const stranger = await generateKeyPair('ES256');
  const cases: Array<[string, string | undefined, ChatOutcome]> = [
    ['missing', undefined, { echoes: 0, code: 'UNAUTHENTICATED', details: 'missing bearer token' }],
    ['malformed header', 'Basic dXNlcjpwYXNz', { echoes: 0, code: 'UNAUTHENTICATED', details: 'malformed authorization header' }],
    ['malformed token', 'Bearer not.a.jwt', { echoes: 0, code: 'UNAUTHENTICATED', details: 'malformed token' }],
    ['bad signature', `Bearer ${await sign(claims(), stranger.privateKey)}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token signature invalid' }],
    ['alg none', `Bearer ${unsigned(claims())}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token algorithm not allowed (none; allowed: ES256)' }],
    ['HS256 token', `Bearer ${await sign(claims(), hs256, 'HS256')}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token algorithm not allowed (HS256; allowed: ES256)' }],
    ['expired', `Bearer ${await sign(claims({ exp: now() - 60 }), m.jwtSigningKey)}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token expired' }],
    ['nbf in the future', `Bearer ${await sign(claims({ nbf: now() + 120 }), m.jwtSigningKey)}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token not yet valid' }],
    ['wrong issuer', `Bearer ${await sign(claims({ iss: 'someone-else' }), m.jwtSigningKey)}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token issuer mismatch' }],
    ['wrong audience', `Bearer ${await sign(claims({ aud: 'other-service' }), m.jwtSigningKey)}`, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token audience mismatch' }],
    ['missing role', `Bearer ${await sign(claims({ roles: ['reader'] }), m.jwtSigningKey)}`, { echoes: 0, code: 'PERMISSION_DENIED', details: 'role bench required' }],
  ];
  for (const [name, authorization, expected] of cases) {
    if (authorization !== undefined) tokensSent.push(authorization.replace(/^\S+ /, ''));
    assert.deepEqual(await chat(server.target, tlsClient(), authorization), expected, name);
  }
  const valid = await sign(claims(), m.jwtSigningKey);
  tokensSent.push(valid);
  assert.deepEqual(await chat(server.target, tlsClient(), `Bearer ${valid}`), OK);
});

test('a flood of bad tokens: the server keeps serving, logs rate-limited lines without token text, and sums it all up at shutdown', async () => {
  const server = await jwtServer();
  const expired = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(claims({ exp: now() - 60 - i }), m.jwtSigningKey)));
  tokensSent.push(...expired);
  const outcomes = await Promise.all(expired.map((token) => chat(server.target, tlsClient(), `Bearer ${token}`)));
  for (const outcome of outcomes) assert.deepEqual(outcome, { echoes: 0, code: 'UNAUTHENTICATED', details: 'token expired' });
  const valid = await sign(claims({ sub: 'bob' }), m.jwtSigningKey);
  tokensSent.push(valid);
  assert.deepEqual(await chat(server.target, tlsClient(), `Bearer ${valid}`), OK);

  assert.equal(await server.stop(), 0);
  const stderr = server.stderr();
  for (const token of tokensSent) {
    for (const part of token.split('.').filter((p) => p.length >= 8)) assert.ok(!stderr.includes(part), `token text in the log: ${part}`);
  }
  const lines = stderr.trimEnd().split("\n");
  // 1 expired token in the first test, 20 here: each is a line or counted in a "suppressed" line.
  const written = lines.filter((line) => /^auth: rejected \/stream\.StreamService\/RouteChat from 127\.0\.0\.1:\d+: UNAUTHENTICATED token expired$/.test(line)).length;
  const suppressed = lines
    .map((line) => /^auth: rejected: token expired: (\d+) more suppressed \(at most one line per reason per second\)$/.exec(line))
    .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);
  assert.equal(written + suppressed, 21, stderr);
  assert.ok(written < 21, `rate limited: ${written} lines for 21 rejections`);
  const summary = lines.at(-1) ?? '';
  assert.match(summary, /^auth: 2 accepted, 31 rejected \(token expired ×21, /);
  for (const reason of ['missing bearer token', 'malformed authorization header', 'malformed token', 'token signature invalid', 'token algorithm not allowed (none; allowed: ES256)', 'token algorithm not allowed (HS256; allowed: ES256)', 'token not yet valid', 'token issuer mismatch', 'token audience mismatch', 'role bench required']) {
    assert.ok(summary.includes(`${reason} ×1`), `${reason} in ${summary}`);
  }
});

test('JWT with an HS256 secret file (over plaintext)', async () => {
  const secret = randomBytes(32);
  secret[31] = 0x41; // random bytes ending in '\n' would lose it as the file's trailing newline
  const file = join(m.dir, 'hs256.secret');
  writeFileSync(file, Buffer.concat([secret, Buffer.from('\n')]), { mode: 0o600 });
  const server = await servers.shared('hs256', () => startEchoServe(['--jwt-secret-file', file, '--require-role', 'bench']));
  const insecure = grpc.credentials.createInsecure();
  assert.deepEqual(await chat(server.target, insecure, `Bearer ${await sign(claims(), secret, 'HS256')}`), OK);
  assert.deepEqual(await chat(server.target, insecure, `Bearer ${await sign(claims(), randomBytes(32), 'HS256')}`), { echoes: 0, code: 'UNAUTHENTICATED', details: 'token signature invalid' });
});

test('mTLS: no client certificate or one from another CA fails; the right one is served', async () => {
  const server = await servers.shared('mtls', () => startEchoServe(['--tls-cert', m.files.server, '--tls-key', m.files.serverKey, '--tls-client-ca', m.files.ca]));
  const none = await chat(server.target, tlsClient());
  assert.equal(none.code, 'UNAVAILABLE');
  assert.equal(none.echoes, 0);
  assert.match(none.details, /certificate required/);
  const foreign = await chat(server.target, mtlsClient(other));
  assert.equal(foreign.code, 'UNAVAILABLE');
  assert.equal(foreign.echoes, 0);
  assert.notEqual(foreign.details, '');
  assert.deepEqual(await chat(server.target, mtlsClient(m)), OK);
});

test('TLS: a client that does not trust the CA fails; a plaintext client fails too', async () => {
  const server = await servers.shared('tls', () => startEchoServe(['--tls-cert', m.files.server, '--tls-key', m.files.serverKey]));
  const untrusting = await chat(server.target, grpc.credentials.createSsl(Buffer.from(other.pem.ca)));
  assert.equal(untrusting.code, 'UNAVAILABLE');
  assert.equal(untrusting.echoes, 0);
  assert.match(untrusting.details, /self-signed certificate in certificate chain|unable to verify/);
  const plaintext = await chat(server.target, grpc.credentials.createInsecure());
  assert.equal(plaintext.code, 'UNAVAILABLE');
  assert.deepEqual(await chat(server.target, tlsClient()), OK);
});

test('--window still sets both flow-control windows with TLS', async () => {
  const window = 1_048_576;
  const server = await servers.shared('tls-window', () => startEchoServe(['--tls-cert', m.files.server, '--tls-key', m.files.serverKey, '--window', String(window)]));
  const session = http2.connect(`https://localhost:${server.port}`, { ca: m.pem.ca, host: '127.0.0.1', servername: 'localhost' } as http2.SecureClientSessionOptions);
  try {
    const settings = await new Promise<http2.Settings>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    const deadline = Date.now() + 2_000; // the WINDOW_UPDATE follows the SETTINGS (a hang bound)
    while (session.state.remoteWindowSize === 65_535 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual({ initialWindowSize: settings.initialWindowSize, connectionWindow: session.state.remoteWindowSize }, { initialWindowSize: window, connectionWindow: window });
    assert.equal((session.socket as unknown as { encrypted?: boolean }).encrypted, true);
  } finally {
    session.destroy();
  }
  assert.deepEqual(await chat(server.target, tlsClient()), OK);
});

test('serve: bad security flags and files exit 2 with one clear line, before listening', async () => {
  const garbage = join(m.dir, 'garbage.pem');
  writeFileSync(garbage, 'not a key\n');
  const short = join(m.dir, 'short.secret');
  writeFileSync(short, 'too short\n');
  const table: Array<[string[], RegExp]> = [
    [['--tls-cert', m.files.server], /^--tls-cert and --tls-key go together: --tls-key is missing$/],
    [['--tls-client-ca', m.files.ca], /^--tls-client-ca \(mTLS\) needs TLS: give --tls-cert and --tls-key too$/],
    [['--require-role', 'bench'], /^--require-role needs a JWT key: give --jwt-public-key or --jwt-secret-file$/],
    [['--jwt-public-key', m.files.jwtPublic, '--jwt-secret-file', short], /^give either --jwt-public-key or --jwt-secret-file, not both$/],
    [['--tls-cert', join(m.dir, 'nope.pem'), '--tls-key', m.files.serverKey], /^--tls-cert \S+nope\.pem: cannot read the file \(ENOENT: no such file or directory/],
    [['--tls-cert', m.files.client, '--tls-key', m.files.serverKey], /^--tls-key \S+server-key\.pem does not match the certificate in --tls-cert \S+client\.pem$/],
    [['--jwt-public-key', garbage], /^--jwt-public-key \S+garbage\.pem is neither a PEM public key/],
    [['--jwt-public-key', m.files.jwtPrivate], /^--jwt-public-key \S+jwt-private\.pem holds a private key/],
    [['--jwt-secret-file', short], /^--jwt-secret-file \S+short\.secret: the secret is 9 bytes; HS256 needs at least 32/],
    [['--jwt-public-key', m.files.jwtPublic, '--jwt-algorithms', 'HS256'], /^--jwt-algorithms HS256 needs an HMAC secret \(--jwt-secret-file\)/],
    [['--jwt-public-key', m.files.jwtPublic, '--jwt-algorithms', 'none'], /^--jwt-algorithms: "none" \(unsigned tokens\) is never allowed$/],
  ];
  const results = await Promise.all(table.map(([args]) => runCli(['serve', '--port', '0', ...args])));
  table.forEach(([args, message], i) => {
    const result = results[i]!;
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '', 'nothing listened');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!.replace(/^grpc-stream-bench: /, ''), message);
  });
});
