import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

const FILES = ['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem', 'client.pem', 'client-key.pem', 'jwt-private.pem', 'jwt-public.pem'];
const PRIVATE = new Set(['ca-key.pem', 'server-key.pem', 'client-key.pem', 'jwt-private.pem']);

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const assertNoKeyText = (result: CliResult): void => {
  for (const text of [result.stdout, result.stderr]) {
    assert.doesNotMatch(text, /PRIVATE KEY|BEGIN /);
  }
};

test('certs --out writes the 8 files with their modes and prints where they are and the flags that use them', async () => {
  const dir = join(tempDir(), 'certs');
  const result = await runCli(['certs', '--out', dir, '--hosts', 'bench.internal,10.9.8.7', '--hosts', '::2', '--days', '3', '--client-name', 'ci runner']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readdirSync(dir).sort(), [...FILES].sort());
  for (const file of FILES) assert.equal(modeOf(join(dir, file)), PRIVATE.has(file) ? 0o600 : 0o644, file);

  for (const file of FILES) assert.ok(result.stdout.includes(join(dir, file)), `stdout names ${file}`);
  assert.match(result.stdout, /server SANs: +DNS:localhost, IP:127\.0\.0\.1, IP:::1, DNS:bench\.internal, IP:10\.9\.8\.7, IP:::2\n/);
  assert.match(result.stdout, /valid until: +\d{4}-\d\d-\d\dT[\d:.]+Z \(3 days/);
  assert.ok(result.stdout.includes(`serve --tls-cert ${dir}/server.pem --tls-key ${dir}/server-key.pem [--tls-client-ca ${dir}/ca.pem] [--jwt-public-key ${dir}/jwt-public.pem]`), result.stdout);
  assert.ok(result.stdout.includes(`run --ca ${dir}/ca.pem [--cert ${dir}/client.pem --key ${dir}/client-key.pem] [--jwt-sign-key ${dir}/jwt-private.pem]`), result.stdout);
  assertNoKeyText(result);
  assert.equal(result.stderr, '');

  const server = new X509Certificate(readFileSync(join(dir, 'server.pem')));
  assert.equal(server.checkHost('bench.internal'), 'bench.internal');
  assert.equal(server.checkIP('::2'), '::2');
  assert.equal(server.checkIssued(new X509Certificate(readFileSync(join(dir, 'ca.pem')))), true);
  assert.equal(new X509Certificate(readFileSync(join(dir, 'client.pem'))).subject, 'CN=ci runner');
  const validMs = new Date(server.validTo).getTime() - new Date(server.validFrom).getTime();
  assert.equal(validMs, 3 * 86_400_000 + 60_000);
});

test('a second run into the same directory is refused (exit 2, names an existing file); --force overwrites', async () => {
  const dir = tempDir();
  const first = await runCli(['certs', '--out', dir]);
  assert.equal(first.code, 0, first.stderr);
  const before = readFileSync(join(dir, 'ca-key.pem'), 'utf8');

  const again = await runCli(['certs', '--out', dir]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /already has ca\.pem, ca-key\.pem, .*; pass --force to overwrite/);
  assert.equal(again.stderr.trim().split('\n').length, 1, again.stderr);
  assert.equal(again.stdout, '');
  assert.equal(readFileSync(join(dir, 'ca-key.pem'), 'utf8'), before, 'nothing overwritten');

  const forced = await runCli(['certs', '--out', dir, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual(readFileSync(join(dir, 'ca-key.pem'), 'utf8'), before);
  for (const file of FILES) assert.equal(modeOf(join(dir, file)), PRIVATE.has(file) ? 0o600 : 0o644, file);
  assert.deepEqual(readdirSync(dir).sort(), [...FILES].sort(), 'no temporary files left');
  assertNoKeyText(forced);
});

const invalid: Array<{ args: string[]; message: RegExp }> = [
  { args: ['--days', '0'], message: /--days must be an integer from 1 to 3650, got "0"/ },
  { args: ['--days', '3651'], message: /--days must be an integer from 1 to 3650, got "3651"/ },
  { args: ['--hosts', 'bad host!'], message: /--hosts must be DNS names \(.*\) or IP addresses, got "bad host!"/ },
  { args: ['--hosts', 'ok.example,-bad'], message: /--hosts must be .* got "-bad" \(in "ok\.example,-bad"\)/ },
  { args: ['--client-name', ''], message: /--client-name must be 1 to 64 characters/ },
];

for (const { args, message } of invalid) {
  test(`certs ${args.join(' ')} → exit 2, one clear line, nothing written`, async () => {
    const dir = join(tempDir(), 'certs');
    const result = await runCli(['certs', '--out', dir, ...args]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(existsSync(dir), false);
  });
}

test('certs without --out → exit 2, says what --out is for', async () => {
  const result = await runCli(['certs']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^grpc-stream-bench: --out DIR is required: the directory to write ca\.pem, .* into \(created if missing\)\n$/);
});
