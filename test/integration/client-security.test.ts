/**
 * The client side of security, end to end on both engines: `run --security` against the embedded
 * server; TLS + JWT against an external `serve` (minted and re-minted tokens, a token file, a token
 * in the environment, a token without the role); mTLS; the TLS checks the preflight reports (unknown
 * CA, name mismatch, client certificate missing or rejected, not a TLS server); flag errors; and that
 * no token or private key ever reaches stdout, stderr or a results file.
 *
 * Real TLS, real JWT verification and real server processes; all key material is made at test time.
 * Time bounds are hang guards only, never assertions.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { ENGINES, type EngineName } from '../../src/engine/transport.js';
import type { RunResultsFile } from '../../src/types.js';
import { runCli, serverPool, startEchoServe, tempDir, type CliResult, type ServerProcess } from '../helpers/cli.js';
import { makeSecurityMaterial, type TestSecurityMaterial } from '../helpers/security-material.js';

/** Hang guards (never measurements). */
const HANG_MS = 30_000;

const ISSUER = 'client-security-test';
const AUDIENCE = 'route-chat';
const ROLE = 'bench';
const CLAIMS = { sub: 't', roles: [ROLE], iss: ISSUER, aud: AUDIENCE };
const SEED_ECHOES = ['Hello', 'World', 'How', 'Are', 'You'].map((w) => `Server received: ${w}`).join('\n') + '\n';
/** Short runs: enough to open connections and calls, and to check every echo. */
const SHORT = ['--duration', '0.5', '--warmup', '0.2'];

const dir = tempDir();
let m: TestSecurityMaterial;
/** A second CA with its own server and client certificates and JWT keys: trusted by nobody here. */
let other: TestSecurityMaterial;
/** Tokens minted by the test (jose): with the role, and without it. */
let token: string;
let tokenWithoutRole: string;
let tokenFile: string;
let tokenWithoutRoleFile: string;

const servers = serverPool();
before(async () => {
  [m, other] = await Promise.all([makeSecurityMaterial(), makeSecurityMaterial('untrusted test CA')]);
  const now = Math.floor(Date.now() / 1000);
  const sign = (roles: string[]): Promise<string> =>
    new SignJWT({ ...CLAIMS, roles }).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).setIssuedAt(now).setExpirationTime(now + 600).sign(m.jwtSigningKey);
  [token, tokenWithoutRole] = await Promise.all([sign([ROLE]), sign(['reader'])]);
  tokenFile = join(m.dir, 'token');
  tokenWithoutRoleFile = join(m.dir, 'token-without-role');
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  writeFileSync(tokenWithoutRoleFile, `${tokenWithoutRole}\n`, { mode: 0o600 });
});
after(() => servers.stopAll());

const tlsArgs = (): string[] => ['--tls-cert', m.files.server, '--tls-key', m.files.serverKey];
const jwtArgs = (): string[] => ['--jwt-public-key', m.files.jwtPublic, '--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE, '--require-role', ROLE];
const tlsServer = (): Promise<ServerProcess> => servers.shared('tls', () => startEchoServe(tlsArgs()));
const jwtServer = (): Promise<ServerProcess> => servers.shared('tls+jwt', () => startEchoServe([...tlsArgs(), ...jwtArgs()]));
const mtlsServer = (): Promise<ServerProcess> => servers.shared('mtls', () => startEchoServe([...tlsArgs(), '--tls-client-ca', m.files.ca]));
const plaintextServer = (): Promise<ServerProcess> => servers.shared('plaintext', () => startEchoServe());

const clientCert = (material: TestSecurityMaterial): string[] => ['--cert', material.files.client, '--key', material.files.clientKey];
const mintArgs = (ttl: string): string[] => ['--jwt-sign-key', m.files.jwtPrivate, '--jwt-claims', JSON.stringify(CLAIMS), '--jwt-ttl', ttl];

interface RunOutcome {
  result: CliResult;
  /** The results file; null when none was written. */
  file: RunResultsFile | null;
  fileText: string;
}

let outs = 0;
/** `run` with its results file in the test directory; never asserts the exit code itself. */
async function run(args: string[], env?: NodeJS.ProcessEnv): Promise<RunOutcome> {
  const out = join(dir, `run-${++outs}.json`);
  const result = await runCli(['run', '--out', out, ...args], { timeoutMs: HANG_MS, env });
  const fileText = existsSync(out) ? readFileSync(out, 'utf8') : '';
  return { result, file: fileText === '' ? null : (JSON.parse(fileText) as RunResultsFile), fileText };
}

/** `run` against an external target (generator unpinned: several may run at once). */
const runAt = (engine: EngineName, target: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunOutcome> =>
  run(['--target', target, '--engine', engine, '--client-cpus', 'none', ...args], env);

const chat = (engine: EngineName, target: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(['chat', '--target', target, '--engine', engine, ...args], { timeoutMs: HANG_MS, env });

const describeCli = (r: CliResult): string => `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** A successful run: exit 0, echoes, no error of any kind, every echo verified where --verify. */
function assertClean(label: string, outcome: RunOutcome): RunResultsFile {
  assert.equal(outcome.result.code, 0, `${label}: ${describeCli(outcome.result)}`);
  assert.ok(outcome.file, `${label}: results file written`);
  const c = outcome.file.run.metrics.counters;
  assert.deepEqual(c.errorsByStatus, {}, `${label}: errors by status`);
  assert.equal(outcome.file.run.metrics.errorsTotal, 0, `${label}: errors`);
  assert.ok(c.received > 0, `${label}: echoes received`);
  assert.equal(c.mismatches, 0, `${label}: wrong echoes`);
  assert.equal(c.unanswered, 0, `${label}: unanswered`);
  return outcome.file;
}

/** A failure before any load: the exit code, and one line on stderr that says `message`. */
function assertOneLineFailure(label: string, r: CliResult, code: number, message: RegExp): void {
  assert.equal(r.code, code, `${label}: ${describeCli(r)}`);
  const lines = r.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `${label}: one line on stderr, got:\n${r.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^grpc-stream-bench: /, `${label}: the line starts with "grpc-stream-bench: ", got: ${line}`);
  assert.match(line, message, `${label}: expected ${message}, got: ${line}`);
}

/** The base64 lines of a PEM file (64-character lines, and the last one if long enough to mean something). */
function pemBody(pem: string): string[] {
  return pem
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('-----') && line.length >= 16);
}

/** Text that looks like a JWT (header.payload.), as any minted token would; histograms are base64 without dots. */
const JWT_SHAPE = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\./;

/**
 * No secret in what the client wrote: not `tokens` (whole or any dot-separated part), no JWT-shaped
 * text, no "PRIVATE KEY", no line of the private keys' PEM bodies. stdout and stderr must not even
 * hold "eyJ" (a JWT's first bytes); in the results file, whose base64 histograms can contain any
 * three letters, the JWT shape and the JOSE header prefix stand for it.
 */
function assertNoSecrets(label: string, outcome: { result: CliResult; fileText?: string }, tokens: string[] = []): void {
  const privateKeyLines = [readFileSync(m.files.jwtPrivate, 'utf8'), m.pem.clientKey, other.pem.clientKey, m.pem.serverKey].flatMap(pemBody);
  const secrets = [...tokens, ...tokens.flatMap((t) => t.split('.').filter((part) => part.length >= 8)), ...privateKeyLines];
  const texts: Array<[string, string]> = [
    ['stdout', outcome.result.stdout],
    ['stderr', outcome.result.stderr],
    ['results file', outcome.fileText ?? ''],
  ];
  for (const [where, text] of texts) {
    assert.ok(!text.includes('PRIVATE KEY'), `${label}: "PRIVATE KEY" in ${where}`);
    assert.doesNotMatch(text, JWT_SHAPE, `${label}: JWT-shaped text in ${where}`);
    assert.ok(!text.includes('eyJhbGci'), `${label}: a JOSE header ({"alg":…) in ${where}`);
    if (where !== 'results file') assert.ok(!text.includes('eyJ'), `${label}: "eyJ" (a JWT's start) in ${where}`);
    for (const secret of secrets) assert.ok(!text.includes(secret), `${label}: secret text in ${where}: ${secret.slice(0, 12)}…`);
  }
}

// 1. --security with the embedded server: throwaway material, minted tokens, both engines.
for (const engine of ENGINES) {
  // The two modes run at once (each with its own embedded server): correctness only, nothing is timed.
  describe(`engine ${engine}: run --security with the embedded server`, { concurrency: true }, () => {
    for (const mode of ['tls+jwt', 'mtls+jwt'] as const) {
      test(`--security ${mode}: verified echoes, no errors; security, auth and connection/call set-up recorded; no secret in the output`, async () => {
        const outcome = await run(['--security', mode, '--engine', engine, '--verify', '--messages-per-stream', '10', '--duration', '1', '--warmup', '0.3']);
        const file = assertClean(mode, outcome);
        const { config, metrics } = file.run;
        assert.equal(config.security, mode);
        assert.ok(config.auth, 'config.auth recorded');
        assert.equal(config.auth.token, 'minted');
        assert.equal(config.auth.jwtAlg, 'ES256');
        assert.deepEqual([...config.auth.jwtClaims].sort(), ['aud', 'exp', 'iat', 'iss', 'roles', 'sub']);
        assert.ok(metrics.connectLatencyUs.count >= 1, `connect latency count ${metrics.connectLatencyUs.count}`);
        assert.ok(metrics.setupLatencyUs.count > 0, `set-up latency count ${metrics.setupLatencyUs.count}`);
        assert.ok(metrics.counters.streamsOpened > 1, 'calls churned');
        assertNoSecrets(mode, outcome);
      });
    }
  });
}

// 2 and 3. TLS + JWT against an external server: minted, re-minted, from a file, from the environment; no role.
/**
 * Both engines at once mint tokens with --jwt-ttl 2s for a run of `seconds` (warm-up 1 s) against a
 * TLS + JWT server of their own allowing `toleranceS` of clock skew; each must run its whole
 * duration without an error, and the server's auth summary at shutdown must show no rejection.
 */
async function assertRemintedThroughout(toleranceS: number, seconds: number): Promise<void> {
  const server = await startEchoServe([...tlsArgs(), ...jwtArgs(), '--jwt-clock-tolerance', String(toleranceS)]);
  let serverStderr = '';
  server.child.stderr?.on('data', (chunk: Buffer) => (serverStderr += chunk.toString()));
  let outcomes: RunOutcome[];
  try {
    const args = ['--ca', m.files.ca, ...mintArgs('2s'), '--messages-per-stream', '5', '--duration', String(seconds - 1), '--warmup', '1', '--verify'];
    outcomes = await Promise.all(ENGINES.map((engine) => runAt(engine, server.target, args)));
  } finally {
    assert.equal(await server.stop(), 0, 'server exit code');
  }
  ENGINES.forEach((engine, i) => {
    const outcome = outcomes[i] as RunOutcome;
    assertNoSecrets(`${engine} minted`, outcome);
    const file = assertClean(engine, outcome);
    assert.equal(file.run.stop.reason, 'duration', `${engine}: ran its whole duration`);
    assert.equal(file.run.config.security, 'tls+jwt');
    assert.deepEqual(file.run.config.auth, { token: 'minted', jwtAlg: 'ES256', jwtClaims: ['iat', 'exp', 'sub', 'roles', 'iss', 'aud'], jwtTtlS: 2, serverName: null });
  });
  const summary = serverStderr.trimEnd().split('\n').at(-1) ?? '';
  assert.match(summary, /^auth: [1-9]\d* accepted, 0 rejected$/, `server log:\n${serverStderr}`);
}

// `serve` allows 5 s of clock skew by default: a 2 s token would then be accepted for 7 s, longer
// than the run. These servers allow less, so the first token is refused long before the run ends.
test('minted tokens with --jwt-ttl 2s over a 4 s run, server leeway 1 s (first token refused after at most 3 s): re-minted, never UNAUTHENTICATED (both engines); no secret in the output', () =>
  assertRemintedThroughout(1, 4));

test('minted tokens with --jwt-ttl 2s over a 6 s run, server without leeway (exp enforced to the second, as jose and golang-jwt do by default): re-minted before they expire, never UNAUTHENTICATED (both engines)', () =>
  assertRemintedThroughout(0, 6));

for (const engine of ENGINES) {
  describe(`engine ${engine}: bearer tokens against an external TLS + JWT server`, () => {
    test('--token-file and --token-env with a token minted by the test: no errors, recorded as file / env; the token is never printed', async () => {
      const server = await jwtServer();
      const ENV = 'GSB_TEST_BEARER_TOKEN';
      const [fromFile, fromEnv] = await Promise.all([
        runAt(engine, server.target, ['--ca', m.files.ca, '--token-file', tokenFile, '--messages-per-stream', '5', '--verify', ...SHORT]),
        runAt(engine, server.target, ['--ca', m.files.ca, '--token-env', ENV, '--messages-per-stream', '5', '--verify', ...SHORT], { [ENV]: token }),
      ]);
      for (const [kind, outcome] of [['file', fromFile], ['env', fromEnv]] as const) {
        const file = assertClean(`--token-${kind}`, outcome);
        assert.equal(file.run.config.security, 'tls+jwt');
        assert.deepEqual(file.run.config.auth, { token: kind, jwtAlg: null, jwtClaims: [], jwtTtlS: null, serverName: null });
        assertNoSecrets(`--token-${kind}`, outcome, [token]);
      }
    });

    test('a token without the role: PERMISSION_DENIED, exit 4, no echo (run and chat); the token is never printed', async () => {
      const server = await jwtServer();
      const [outcome, chatted] = await Promise.all([
        runAt(engine, server.target, ['--ca', m.files.ca, '--token-file', tokenWithoutRoleFile, '--messages-per-stream', '5', ...SHORT]),
        chat(engine, server.target, ['--ca', m.files.ca, '--token-file', tokenWithoutRoleFile]),
      ]);
      assert.equal(outcome.result.code, 4, describeCli(outcome.result));
      assert.ok(outcome.file, 'results file written');
      const c = outcome.file.run.metrics.counters;
      assert.deepEqual(Object.keys(c.errorsByStatus), ['PERMISSION_DENIED']);
      assert.equal(c.received, 0);
      assert.equal(c.receivedTotal, 0, 'no echo at all, warm-up included');
      assert.match(outcome.file.run.stop.detail ?? '', /PERMISSION_DENIED: role bench required/);
      assertNoSecrets('run without role', outcome, [tokenWithoutRole]);

      // (Only the last line: the grpc-js engine's extra stderr output is the subject of its own test below.)
      assert.equal(chatted.code, 4, describeCli(chatted));
      assert.match(chatted.stderr.trimEnd().split('\n').at(-1) ?? '', /^grpc-stream-bench: RouteChat to \S+ failed: PERMISSION_DENIED: role bench required \(auth\)$/);
      assert.equal(chatted.stdout, '', 'no echo printed');
      assertNoSecrets('chat without role', { result: chatted }, [tokenWithoutRole]);
    });
  });
}

// 4 and 5. TLS and mTLS checks the preflight reports, through chat and run.
for (const engine of ENGINES) {
  describe(`engine ${engine}: mTLS server (--tls-client-ca)`, () => {
    test('no client certificate: exit 3, one line saying a client certificate is required (chat and run)', async () => {
      const server = await mtlsServer();
      const [chatted, ran] = await Promise.all([chat(engine, server.target, ['--ca', m.files.ca]), runAt(engine, server.target, ['--ca', m.files.ca, ...SHORT])]);
      for (const [label, r] of [['chat', chatted], ['run', ran.result]] as const) {
        assertOneLineFailure(label, r, 3, /requires a client certificate \(mTLS\); give --cert FILE --key FILE/);
      }
    });

    test('a client certificate from another CA: exit 3, one line saying the certificate was rejected or the connection closed (chat and run)', async () => {
      const server = await mtlsServer();
      const args = ['--ca', m.files.ca, ...clientCert(other)];
      const [chatted, ran] = await Promise.all([chat(engine, server.target, args), runAt(engine, server.target, [...args, ...SHORT])]);
      for (const [label, r] of [['chat', chatted], ['run', ran.result]] as const) {
        // Node's TLS server checks the client certificate after the handshake and closes the connection
        // without an alert, so the client sees a reset or a close, not a reason.
        assertOneLineFailure(label, r, 3, /unreachable: .*TLS: .*(rejected the client certificate|closed)/);
        assertNoSecrets(label, { result: r });
      }
    });

    test('the right client certificate: chat echoes, run has no errors and records mtls', async () => {
      const server = await mtlsServer();
      const args = ['--ca', m.files.ca, ...clientCert(m)];
      const [chatted, ran] = await Promise.all([chat(engine, server.target, args), runAt(engine, server.target, [...args, '--verify', ...SHORT])]);
      assert.equal(chatted.code, 0, describeCli(chatted));
      assert.equal(chatted.stdout, SEED_ECHOES);
      const file = assertClean('run', ran);
      assert.equal(file.run.config.security, 'mtls');
      assert.deepEqual(file.run.config.auth, { token: 'none', jwtAlg: null, jwtClaims: [], jwtTtlS: null, serverName: null });
      assert.ok(file.run.metrics.connectLatencyUs.count >= 1);
      assertNoSecrets('mtls chat', { result: chatted });
      assertNoSecrets('mtls run', ran);
    });
  });

  describe(`engine ${engine}: TLS server checks`, () => {
    test('an unknown CA (system roots only, or another CA): exit 3, one line about the CA (chat and run)', async () => {
      const server = await tlsServer();
      const cases = [
        ['--tls (system roots)', ['--tls']],
        ['--ca of another CA', ['--ca', other.files.ca]],
      ] as const;
      const results = await Promise.all(cases.flatMap(([, args]) => [chat(engine, server.target, [...args]), runAt(engine, server.target, [...args, ...SHORT]).then((o) => o.result)]));
      cases.forEach(([name], i) => {
        for (const [j, command] of ['chat', 'run'].entries()) {
          assertOneLineFailure(`${command} ${name}`, results[i * 2 + j] as CliResult, 3, /not signed by a CA this client trusts .*--ca FILE/);
        }
      });
    });

    test('--server-name wrong.example on 127.0.0.1: exit 3, the certificate does not name wrong.example; --server-name localhost works (chat and run)', async () => {
      const server = await tlsServer();
      const target = `127.0.0.1:${server.port}`;
      const wrong = ['--ca', m.files.ca, '--server-name', 'wrong.example'];
      const right = ['--ca', m.files.ca, '--server-name', 'localhost'];
      const [wrongChat, wrongRun, rightChat, rightRun] = await Promise.all([
        chat(engine, target, wrong),
        runAt(engine, target, [...wrong, ...SHORT]),
        chat(engine, target, right),
        runAt(engine, target, [...right, '--verify', ...SHORT]),
      ]);
      for (const [label, r] of [['chat', wrongChat], ['run', wrongRun.result]] as const) {
        assertOneLineFailure(`${label} wrong.example`, r, 3, /certificate does not name wrong\.example/);
      }
      assert.equal(rightChat.code, 0, describeCli(rightChat));
      assert.equal(rightChat.stdout, SEED_ECHOES);
      const file = assertClean('run --server-name localhost', rightRun);
      assert.equal(file.run.config.security, 'tls');
      assert.equal(file.run.config.auth?.serverName, 'localhost');
    });

    test('a successful TLS chat to 127.0.0.1 writes nothing to stderr (no Node deprecation warning about SNI with an IP address)', async () => {
      const server = await tlsServer();
      const chatted = await chat(engine, `127.0.0.1:${server.port}`, ['--ca', m.files.ca]);
      assert.equal(chatted.code, 0, describeCli(chatted));
      assert.equal(chatted.stdout, SEED_ECHOES);
      assert.equal(chatted.stderr, '', 'stderr');
    });

    test('--tls against a plaintext server: exit 3, one line saying it did not answer with TLS (chat and run)', async () => {
      const server = await plaintextServer();
      const [chatted, ran] = await Promise.all([chat(engine, server.target, ['--tls']), runAt(engine, server.target, ['--tls', ...SHORT])]);
      for (const [label, r] of [['chat', chatted], ['run', ran.result]] as const) {
        assertOneLineFailure(label, r, 3, /did not answer with TLS/);
      }
    });
  });
}

// 6. Flag errors: exit 2, one clear line, nothing started (no connection to the target, no results file).
describe('flag errors', () => {
  /** A TCP listener that only counts connections: any would mean something was started. */
  let tripwire: net.Server;
  let connections = 0;
  let target = '';
  before(async () => {
    tripwire = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => tripwire.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(tripwire.address() as net.AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => tripwire.close(() => resolve())));

  const UNSET = 'GSB_TEST_SURELY_UNSET_TOKEN_VAR';

  test('each bad combination of security flags exits 2 with one line naming the flags, before connecting or writing anything', async () => {
    assert.equal(process.env[UNSET], undefined, `${UNSET} must not be set for this test`);
    const ext = (): string[] => ['--target', target];
    const cases: Array<{ name: string; commands: Array<'run' | 'chat'>; args: () => string[]; message: RegExp }> = [
      { name: '--cert without --key', commands: ['run', 'chat'], args: () => [...ext(), '--ca', m.files.ca, '--cert', m.files.client], message: /--cert and --key go together/ },
      { name: 'a token without TLS', commands: ['run', 'chat'], args: () => [...ext(), '--token-file', tokenFile], message: /bearer token is only sent over TLS: add --tls .* or --ca FILE/ },
      {
        name: 'two token sources',
        commands: ['run', 'chat'],
        args: () => [...ext(), '--ca', m.files.ca, '--token-file', tokenFile, '--jwt-sign-key', m.files.jwtPrivate],
        message: /--token-file, --token-env and --jwt-sign-key are alternative token sources; give one of them/,
      },
      { name: '--jwt-ttl without --jwt-sign-key', commands: ['run', 'chat'], args: () => [...ext(), '--ca', m.files.ca, '--jwt-ttl', '5m'], message: /--jwt-ttl .*need --jwt-sign-key FILE/ },
      {
        name: '--jwt-claims not JSON',
        commands: ['run', 'chat'],
        args: () => [...ext(), '--ca', m.files.ca, '--jwt-sign-key', m.files.jwtPrivate, '--jwt-claims', '{sub: t'],
        message: /--jwt-claims must be a JSON object of claims .*invalid JSON/,
      },
      {
        name: '--security mtls with only --ca (external target)',
        commands: ['run'],
        args: () => [...ext(), '--ca', m.files.ca, '--security', 'mtls'],
        message: /--security mtls does not match the client flags, which make it tls: .*--cert FILE --key FILE/,
      },
      { name: '--ca with the embedded server', commands: ['run'], args: () => ['--ca', m.files.ca], message: /secure an external --target; the embedded server makes its own/ },
      { name: '--ca with the embedded server and --security tls', commands: ['run'], args: () => ['--ca', m.files.ca, '--security', 'tls'], message: /secure an external --target; the embedded server makes its own/ },
      { name: '--token-env of an unset variable', commands: ['run', 'chat'], args: () => [...ext(), '--ca', m.files.ca, '--token-env', UNSET], message: new RegExp(`--token-env ${UNSET}: the environment variable is not set or empty`) },
    ];
    const runs = cases.flatMap((c) =>
      c.commands.map(async (command) => {
        const args = c.args();
        if (command === 'chat') return { label: `chat: ${c.name}`, c, result: await runCli(['chat', ...args], { timeoutMs: HANG_MS }), fileWritten: false };
        const outcome = await run(['--client-cpus', 'none', ...args]);
        return { label: `run: ${c.name}`, c, result: outcome.result, fileWritten: outcome.file !== null };
      }),
    );
    for (const { label, c, result, fileWritten } of await Promise.all(runs)) {
      assertOneLineFailure(label, result, 2, c.message);
      assert.equal(result.stdout, '', `${label}: nothing on stdout`);
      assert.equal(fileWritten, false, `${label}: no results file`);
      assertNoSecrets(label, { result }, [token]);
    }
    assert.equal(connections, 0, 'no client connected to the target');
  });
});
