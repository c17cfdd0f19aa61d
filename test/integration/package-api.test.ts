/**
 * The package as a user gets it: `npm pack` (of the dist/ that `npm test` builds first),
 * `npm install` of the tarball in a temporary project, then the README's "Using it from code"
 * example run there with node, and its types checked with tsc.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; kills it after timeoutMs (a hang guard). */
function exec(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Exec> {
  // npm test's own lifecycle variables would describe this package to the nested npm: drop them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package|lifecycle)_|^npm_config_(local_prefix|global_prefix)$/.test(key)));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/** The first ```js block of the README's "Using it from code" section: the example users copy. */
function readmeExample(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Using it from code\n'));
  assert.ok(section, 'README has a "## Using it from code" section');
  const match = /^```js\n([\s\S]*?)^```$/m.exec(section);
  assert.ok(match?.[1], 'the section has a ```js example');
  return match[1];
}

const work = mkdtempSync(join(tmpdir(), 'gsb-package-'));
const app = join(work, 'app');
let packMs: number;
let installMs: number;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/index.js')), 'dist/index.js is missing: run `npm run build` first (npm test does)');
  // --ignore-scripts: pack the dist/ already built rather than rebuild (prepare) while other tests run.
  const pack = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, 60_000);
  assert.equal(pack.code, 0, pack.stderr);
  packMs = pack.ms;
  const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(packed);
  const files = packed.files.map((f) => f.path);
  for (const needed of ['package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/load/worker.js', 'proto/stream.proto', 'proto/google/rpc/status.proto', 'proto/google/rpc/error_details.proto', 'bench/profiles/quick.json']) {
    assert.ok(files.includes(needed), `the tarball holds ${needed}`);
  }
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'no sources or tests in the tarball');
  const tarball = join(work, packed.filename);

  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'gsb-api-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  // Dependencies come from the npm cache when they are there (the registry otherwise).
  const install = await exec('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], app, 120_000);
  assert.equal(install.code, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
  installMs = install.ms;
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('runs the README example: a server, a load, its p99', async (t) => {
    t.diagnostic(`npm pack ${packMs} ms, npm install ${installMs} ms`);
    const example = readmeExample(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    assert.match(example, /from 'grpc-stream-bench'/);
    writeFileSync(join(app, 'example.mjs'), example);
    const result = await exec(process.execPath, ['example.mjs'], app, 60_000);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^p99 \d+ µs at \d+ msgs\/s\n$/);
    assert.equal(result.stderr, '', 'the library prints nothing');
    assert.ok(Number(/^p99 (\d+)/.exec(result.stdout)?.[1]) > 0);
  });

  it('resolves its types through "exports" for a TypeScript consumer', async () => {
    writeFileSync(
      join(app, 'consumer.mts'),
      [
        "import { check, ConfigError, run, serve, type CheckResult, type LatencySummary, type RunResultsFile } from 'grpc-stream-bench';",
        'const server = await serve({ port: 0, window: "1MiB" });',
        "const results: RunResultsFile = await run({ target: server.target, streams: 2, inFlight: 4, compression: 'gzip', size: '1KiB' });",
        'const latency: LatencySummary = results.run.metrics.latencyUs;',
        "const verdict: CheckResult = await check({ thresholds: ['p99 < 5ms'], results: [results] });",
        'const code: 0 | 5 = verdict.exitCode;',
        'console.log(latency.p99, code, new ConfigError("x").exitCode);',
        '// @ts-expect-error: not a compression',
        "void run({ compression: 'brotli' });",
        'await server.close();',
        '',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), 'consumer.mts'];
    const result = await exec(process.execPath, [tsc, ...args], app, 60_000);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  });

  it('keeps the CLI as its bin', async () => {
    const result = await exec(join(app, 'node_modules/.bin/grpc-stream-bench'), ['--version'], app, 30_000);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});
