/**
 * The two client engines side by side: generator CPU per echoed message and msgs/s, h2 vs
 * grpc-js, alternating run by run so the machine's drift hits both alike. Each run is a real
 * `grpc-stream-bench run` process (its own results file); medians and ranges are printed.
 *
 *   npm run bench:engines                          # against the embedded grpc-js echo server
 *   npm run bench:engines -- --peers               # also against the seed's Go server (.peers/)
 *   npm run bench:engines -- --target H:P [--gzip-target H:P] [--rounds 3] [--duration 3]
 *
 * The embedded server runs pinned to the first half of the CPUs, the generator to the second
 * half (the run command's defaults); with --peers the Go servers are pinned to CPU 0 and the
 * generator to CPU 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable } from '../src/report/format.js';
import { describeEnvironment } from '../src/results/environment.js';
import { defaultResultsPath } from '../src/results/run-file.js';
import { writeFileAtomic } from '../src/results/write-atomic.js';
import { startGoServer } from './peers.js';
import { median } from '../src/stats/spread.js';
import type { RunResultsFile } from '../src/types.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const ENGINES = ['h2', 'grpc-js'] as const;

interface Case {
  name: string;
  args: string[];
  /** Needs a server that accepts gzip requests. */
  gzip: boolean;
}

const CASES: Case[] = [
  { name: '16 streams × 64 in flight, 16 B', args: ['--streams', '16', '--in-flight', '64', '--size', '16', '--window', '1MiB'], gzip: false },
  { name: '16 streams × 64 in flight, 1 KiB', args: ['--streams', '16', '--in-flight', '64', '--size', '1KiB', '--window', '1MiB'], gzip: false },
  { name: 'ping-pong, 16 B', args: ['--streams', '1', '--in-flight', '1', '--size', '16'], gzip: false },
  { name: 'gzip, 1 KiB, 50% compressible, 16 × 64', args: ['--streams', '16', '--in-flight', '64', '--size', '1KiB', '--window', '1MiB', '--compression', 'gzip', '--compressibility', '50'], gzip: true },
];

interface Sample {
  target: string;
  case: string;
  engine: string;
  round: number;
  msgsPerS: number;
  cpuUsPerMsg: number | null;
  cpuUtilization: number | null;
  generatorSaturated: boolean;
  errors: number;
}

const { values: flags } = parseArgs({
  options: {
    target: { type: 'string' },
    'gzip-target': { type: 'string' },
    peers: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds must be an integer from 1 to 50, got ${flags.rounds}`);

interface Target {
  label: string;
  /** null: the embedded echo server. */
  plain: string | null;
  gzip: string | null;
}


function runOnce(target: Target, c: Case, engine: string, dir: string, index: number): Sample | string {
  const out = join(dir, `run-${index}.json`);
  const server = c.gzip ? target.gzip : target.plain;
  const where = target.plain === null ? [] : server === null ? null : ['--target', server, '--client-cpus', target.label.startsWith('Go') ? '1' : cpus().length > 1 ? String(cpus().length - 1) : 'none'];
  if (where === null) return 'no server for this case';
  const args = [CLI, 'run', ...c.args, ...where, '--engine', engine, '--duration', String(flags.duration), '--warmup', String(flags.warmup), '--out', out, '--json'];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (!existsSync(out)) return `run failed (exit ${result.status}): ${(result.stderr ?? '').trim().split('\n').pop() ?? ''}`;
  const file = JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile;
  const m = file.run.metrics;
  return {
    target: target.label,
    case: c.name,
    engine,
    round: 0,
    msgsPerS: m.msgsPerS,
    cpuUsPerMsg: m.generator.cpuUsPerMsg,
    cpuUtilization: m.generator.cpuUtilization,
    generatorSaturated: file.run.warnings.some((w) => w.startsWith('generator saturated')),
    errors: m.errorsTotal,
  };
}

const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
function spreadText(values: number[], digits: number): string {
  if (values.length === 0) return 'n/a';
  const mid = median(values);
  return values.length === 1 ? fmt(mid, digits) : `${fmt(mid, digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const targets: Target[] = [{ label: 'embedded grpc-js server', plain: null, gzip: null }];
  if (flags.target !== undefined) targets.push({ label: `target ${flags.target}`, plain: flags.target, gzip: flags['gzip-target'] ?? flags.target });
  if (flags.peers) targets.push({ label: 'Go seed server (CPU 0)', plain: await startGoServer('seed-server'), gzip: await startGoServer('seed-server-gzip') });

  const dir = mkdtempSync(join(tmpdir(), 'gsb-engines-'));
  const samples: Sample[] = [];
  const failures: string[] = [];
  let index = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        for (const c of CASES) {
          // Alternate which engine goes first, so neither always runs on a warmer machine.
          const order = round % 2 === 0 ? ENGINES : [...ENGINES].reverse();
          for (const engine of order) {
            const sample = runOnce(target, c, engine, dir, index++);
            if (typeof sample === 'string') failures.push(`${target.label} · ${c.name} · ${engine}: ${sample}`);
            else samples.push({ ...sample, round });
            process.stderr.write(`\r\x1b[2Kround ${round + 1}/${rounds} · ${target.label} · ${c.name} · ${engine}`);
          }
        }
      }
    }
  } finally {
    process.stderr.write('\r\x1b[2K');
    rmSync(dir, { recursive: true, force: true });
  }

  const rows: string[][] = [];
  for (const target of targets) {
    for (const c of CASES) {
      const of = (engine: string): Sample[] => samples.filter((s) => s.target === target.label && s.case === c.name && s.engine === engine);
      const h2 = of('h2');
      const js = of('grpc-js');
      if (h2.length + js.length === 0) continue;
      const cpu = (list: Sample[]): number[] => list.map((s) => s.cpuUsPerMsg).filter((v): v is number => v !== null);
      const ratio = cpu(h2).length > 0 && cpu(js).length > 0 ? median(cpu(h2)) / median(cpu(js)) : Number.NaN;
      const saturated = (list: Sample[]): string => `${list.filter((s) => s.generatorSaturated).length}/${list.length}`;
      rows.push([
        target.label,
        c.name,
        spreadText(cpu(h2), 2),
        spreadText(cpu(js), 2),
        Number.isFinite(ratio) ? fmt(ratio, 2) : 'n/a',
        spreadText(h2.map((s) => s.msgsPerS), 0),
        spreadText(js.map((s) => s.msgsPerS), 0),
        `${saturated(h2)} · ${saturated(js)}`,
      ]);
    }
  }
  const table = renderTable(['server', 'load', 'h2 CPU µs/msg', 'grpc-js CPU µs/msg', 'h2/grpc-js', 'h2 msgs/s', 'grpc-js msgs/s', 'gen. saturated h2 · js'], rows);
  process.stdout.write(`${table}\n\nmedian (min–max) of ${rounds} alternating round${rounds === 1 ? '' : 's'}, ${flags.duration} s measured each; generator CPU = whole generator process / echoes\n`);
  for (const failure of failures) process.stdout.write(`failed: ${failure}\n`);
  const path = flags.out ?? defaultResultsPath('engines');
  writeFileAtomic(path, `${JSON.stringify({ kind: 'engines-benchmark', createdAt: new Date().toISOString(), environment: describeEnvironment(), rounds, durationS: Number(flags.duration), samples, failures }, null, 2)}\n`);
  process.stdout.write(`results    ${path}\n`);
}

await main();
