import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { resolveRunConfig } from '../../src/config/resolve-run.js';
import { ConfigError } from '../../src/errors.js';
import { describeAuth, resolveClientCredentials, securityModeOfCredentials, type SecurityInput } from '../../src/security/client-credentials.js';
import { describeTlsFailure } from '../../src/security/tls-failure.js';
import { openTokenSource } from '../../src/security/token-source.js';
import { tempDir } from '../helpers/cli.js';
import { makeSecurityMaterial } from '../helpers/security-material.js';

const material = await makeSecurityMaterial();
const dir = tempDir();
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'abc.def.ghi\n');
const machine = { cpuCount: 2, platform: 'linux' };

describe('client credentials from flags', () => {
  const modes: [string, SecurityInput, string][] = [
    ['nothing', {}, 'plaintext'],
    ['--tls', { tls: true }, 'tls'],
    ['--ca', { ca: material.files.ca }, 'tls'],
    ['--ca --cert --key', { ca: material.files.ca, cert: material.files.client, key: material.files.clientKey }, 'mtls'],
    ['--ca --token-file', { ca: material.files.ca, tokenFile }, 'tls+jwt'],
    ['--ca --cert --key --jwt-sign-key', { ca: material.files.ca, cert: material.files.client, key: material.files.clientKey, jwtSignKey: material.files.jwtPrivate }, 'mtls+jwt'],
  ];
  for (const [name, input, mode] of modes) {
    it(`${name} → ${mode}`, () => assert.equal(securityModeOfCredentials(resolveClientCredentials(input)), mode));
  }

  const errors: [string, SecurityInput, RegExp][] = [
    ['cert without key', { ca: material.files.ca, cert: material.files.client }, /^--cert and --key go together/],
    ['token without TLS', { tokenFile }, /^a bearer token is only sent over TLS: add --tls \(system roots\) or --ca FILE$/],
    ['two token sources', { tls: true, tokenFile, jwtSignKey: material.files.jwtPrivate }, /alternative token sources; give one of them, got 2$/],
    ['ttl without a key', { tls: true, jwtTtl: '5m' }, /^--jwt-claims and --jwt-ttl describe minted tokens: they need --jwt-sign-key FILE$/],
    ['claims not JSON', { tls: true, jwtSignKey: material.files.jwtPrivate, jwtClaims: '{sub:' }, /^--jwt-claims must be a JSON object of claims .*invalid JSON/],
    ['claims an array', { tls: true, jwtSignKey: material.files.jwtPrivate, jwtClaims: '[1]' }, /^--jwt-claims must be a JSON object of claims .*got \[1\]$/],
    ['claims set exp', { tls: true, jwtSignKey: material.files.jwtPrivate, jwtClaims: '{"exp":1}' }, /^--jwt-claims must not set "exp"/],
    ['ttl too short', { tls: true, jwtSignKey: material.files.jwtPrivate, jwtTtl: '500ms' }, /^--jwt-ttl must be a duration from 1 s to 168 h .*got "500ms"$/],
    ['unreadable CA', { ca: join(dir, 'missing.pem') }, /^--ca .*missing\.pem: cannot read the file/],
    ['not a key', { tls: true, jwtSignKey: material.files.ca }, /^--jwt-sign-key .*: not a PEM private key/],
    ['unset variable', { tls: true, tokenEnv: 'GSB_SURELY_UNSET_VARIABLE' }, /^--token-env GSB_SURELY_UNSET_VARIABLE: the environment variable is not set or empty$/],
    ['bad variable name', { tls: true, tokenEnv: 'A-B' }, /^--token-env must be an environment variable name, got "A-B"$/],
    ['server name without TLS', { serverName: 'x' }, /^--server-name names the server certificate to expect: it needs TLS/],
  ];
  for (const [name, input, message] of errors) {
    it(`error: ${name}`, () => assert.throws(() => resolveClientCredentials(input), (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && message.test(e.message)));
  }

  it('results see kinds and claim names only', () => {
    const credentials = resolveClientCredentials({ ca: material.files.ca, jwtSignKey: material.files.jwtPrivate, jwtClaims: '{"sub":"s","roles":["bench"]}', jwtTtl: '90s' });
    const auth = describeAuth(credentials);
    assert.deepEqual(auth, { token: 'minted', jwtAlg: 'ES256', jwtClaims: ['iat', 'exp', 'sub', 'roles'], jwtTtlS: 90, serverName: null });
    assert.doesNotMatch(JSON.stringify(auth), /\.pem|\/tmp|PRIVATE/);
  });
});

describe('security in the run settings', () => {
  it('the embedded server takes --security and refuses client flags', () => {
    assert.equal(resolveRunConfig({ security: 'mtls+jwt' }, machine).security, 'mtls+jwt');
    assert.equal(resolveRunConfig({ security: 'mtls+jwt' }, machine).auth?.token, 'minted');
    assert.throws(() => resolveRunConfig({ credentials: resolveClientCredentials({ tls: true }) }, machine), /secure an external --target; the embedded server makes its own throwaway certificates/);
  });
  it('an external target: the mode follows the flags, and --security must agree', () => {
    const credentials = resolveClientCredentials({ ca: material.files.ca });
    assert.equal(resolveRunConfig({ target: '127.0.0.1:1', credentials }, machine).security, 'tls');
    assert.throws(
      () => resolveRunConfig({ target: '127.0.0.1:1', credentials, security: 'mtls' }, machine),
      /--security mtls does not match the client flags, which make it tls: --ca FILE \(or --tls\) with --cert FILE --key FILE, no token$/,
    );
    assert.throws(() => resolveRunConfig({ security: 'tlss' }, machine), /--security must be one of plaintext, tls, mtls, tls\+jwt, mtls\+jwt, got "tlss"$/);
  });
});

describe('token sources', () => {
  it('a token file is read once and trimmed', async () => {
    const source = await openTokenSource({ kind: 'file', path: tokenFile });
    assert.equal(source.current(), 'abc.def.ghi');
    source.stop();
  });
  it('minted tokens carry the claims, the key algorithm and exp = iat + ttl', async () => {
    const source = await openTokenSource({ kind: 'mint', keyFile: material.files.jwtPrivate, claims: { sub: 'bench', roles: ['bench'] }, ttlS: 60 });
    const token = source.current();
    source.stop();
    assert.equal(decodeProtectedHeader(token).alg, 'ES256');
    const claims = decodeJwt(token);
    assert.equal(claims.sub, 'bench');
    assert.deepEqual(claims.roles, ['bench']);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 60);
  });
  it('a minted token is replaced before it expires', async () => {
    const source = await openTokenSource({ kind: 'mint', keyFile: material.files.jwtPrivate, claims: { sub: 'bench' }, ttlS: 1.5 });
    const first = source.current();
    const deadline = Date.now() + 5_000; // hang guard
    while (source.current() === first && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = source.current();
    source.stop();
    assert.notEqual(second, first, 'a new token within the hang guard');
    assert.ok((decodeJwt(second).exp ?? 0) >= (decodeJwt(first).exp ?? 0));
  });
});

describe('TLS failures in one line', () => {
  const table: [string, { code?: string; message?: string; reason?: string }, RegExp][] = [
    ['unknown CA', { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, /not signed by a CA this client trusts \(SELF_SIGNED_CERT_IN_CHAIN\); give its CA with --ca FILE$/],
    ['name mismatch', { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'x', reason: "Host: wrong.example. is not in the cert's altnames" }, /does not name wrong\.example .*set --server-name$/],
    ['expired', { code: 'CERT_HAS_EXPIRED' }, /has expired$/],
    ['client certificate required', { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', message: 'tlsv13 alert certificate required' }, /requires a client certificate \(mTLS\); give --cert FILE --key FILE$/],
    ['client certificate rejected', { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }, /rejected the client certificate/],
    ['plaintext server', { code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, /did not answer with TLS .*plaintext server\?$/],
    ['reset', { code: 'ECONNRESET', message: 'socket hang up' }, /closed during the handshake/],
  ];
  for (const [name, error, message] of table) it(name, () => assert.match(describeTlsFailure(error, 'wrong.example'), message));
});
