/**
 * Many streams from one generator process: the scale run of the README (10,000 streams on 20
 * connections, one message in flight each, open loop at 20,000 msgs/s, against the embedded
 * echo server) for each engine and generator setting, in rotating rounds; medians and ranges of
 * throughput, latency, generator CPU per message and generator memory.
 *
 *   npm run bench:scale                                  # every variant, 1 round of 20 s
 *   npm run bench:scale -- --rounds 3 --duration 60      # the 60 s leak check, three times
 *   npm run bench:scale -- --variants h2,grpc-js-x2-capped
 *
 * Pacing is `timer`, so CPU per message is the generator's work, not spin-polling. Variants:
 *   h2                 one worker on the generator's CPU (CPU 1)
 *   grpc-js            the same with the grpc-js engine
 *   grpc-js-x2         grpc-js, two workers on both CPUs (sharing CPU 0 with the server)
 *   grpc-js-x2-capped  grpc-js-x2 with --worker-heap 160 --worker-young 96
 *   grpc-js-capped     grpc-js, one worker, --worker-heap 256
 *   grpc-js-capped-young  the same with --worker-young 64
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable } from '../src/report/format.js';
import { median } from '../src/stats/spread.js';
import type { RunResultsFile } from '../src/types.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');

const VARIANTS: Record<string, string[]> = {
  h2: ['--engine', 'h2'],
  'grpc-js': ['--engine', 'grpc-js'],
  'grpc-js-x2': ['--engine', 'grpc-js', '--workers', '2', '--client-cpus', '0-1'],
  'grpc-js-x2-capped': ['--engine', 'grpc-js', '--workers', '2', '--client-cpus', '0-1', '--worker-heap', '160', '--worker-young', '96'],
  'grpc-js-capped': ['--engine', 'grpc-js', '--worker-heap', '256'],
  'grpc-js-capped-young': ['--engine', 'grpc-js', '--worker-heap', '256', '--worker-young', '64'],
};

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    duration: { type: 'string', default: '20' },
    streams: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '20' },
    rate: { type: 'string', default: '20000' },
    variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be an integer from 1 to 20, got ${flags.rounds}`);
const variants = flags.variants.split(',').map((v) => v.trim());
for (const v of variants) if (!(v in VARIANTS)) throw new Error(`--variants: unknown variant ${JSON.stringify(v)}; known: ${Object.keys(VARIANTS).join(', ')}`);

interface Sample {
  variant: string;
  msgsPerS: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerMsg: number;
  rssPeak: number;
  rssFirst: number;
  rssLast: number;
  workerHeapPeak: number;
  unsent: number;
  leakWarning: boolean;
}

async function runOnce(variant: string, out: string): Promise<Sample> {
  const args = [CLI, 'run', '--streams', flags.streams, '--connections', flags.connections, '--in-flight', '1', '--rate', flags.rate, '--pacing', 'timer', '--duration', flags.duration, '--out', out, ...(VARIANTS[variant] ?? [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // Exit 4 is a run with errors (messages never sent when the generator falls behind): still a result.
  if ((code !== 0 && code !== 4) || !existsSync(out)) throw new Error(`${variant} failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
  const run = (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run;
  const m = run.metrics;
  const mem = m.generator.memory;
  if (!mem || m.generator.cpuUsPerMsg === null) throw new Error(`${variant}: no generator figures`);
  return {
    variant,
    msgsPerS: m.msgsPerS,
    p50Ms: m.latencyUs.p50 / 1000,
    p99Ms: m.latencyUs.p99 / 1000,
    cpuUsPerMsg: m.generator.cpuUsPerMsg,
    rssPeak: mem.peakRssMiB,
    rssFirst: mem.firstQuarterRssMiB,
    rssLast: mem.lastQuarterRssMiB,
    workerHeapPeak: mem.peakWorkerHeapUsedMiB ?? 0,
    unsent: m.counters.unsent,
    leakWarning: run.warnings.some((w) => w.includes('a leak?')),
  };
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (x: number): string => (x >= 1000 ? `${fmt(x / 1000, 2)} s` : `${fmt(x, x < 10 ? 2 : 0)} ms`);
/** Median, with the range when there are several rounds. */
function cell(values: number[], show: (x: number) => string): string {
  const mid = show(median(values));
  return values.length === 1 ? mid : `${mid} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'gsb-scale-'));
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no variant always runs first on a cooler machine.
      const order = variants.map((_, i) => variants[(i + round) % variants.length] as string);
      for (const variant of order) {
        process.stderr.write(`\r\x1b[2Kround ${round + 1}/${rounds} · ${variant}`);
        samples.push(await runOnce(variant, join(dir, `${round}-${variant}.json`)));
      }
    }
  } finally {
    process.stderr.write('\r\x1b[2K');
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = variants.map((variant) => {
    const of = samples.filter((s) => s.variant === variant);
    const pick = (f: (s: Sample) => number): number[] => of.map(f);
    return [
      variant,
      cell(pick((s) => s.msgsPerS), (x) => fmt(x)),
      cell(pick((s) => s.p50Ms), ms),
      cell(pick((s) => s.p99Ms), ms),
      cell(pick((s) => s.cpuUsPerMsg), (x) => fmt(x, 1)),
      cell(pick((s) => s.rssPeak), (x) => fmt(x)),
      cell(pick((s) => s.rssFirst), (x) => fmt(x)),
      cell(pick((s) => s.rssLast), (x) => fmt(x)),
      cell(pick((s) => s.workerHeapPeak), (x) => fmt(x)),
      fmt(median(pick((s) => s.unsent))),
      `${of.filter((s) => s.leakWarning).length}/${of.length}`,
    ];
  });
  const header = ['variant', 'msgs/s', 'p50', 'p99', 'gen. CPU µs/msg', 'RSS peak MiB', 'first ¼', 'last ¼', 'worker heap peak', 'never sent', 'leak warnings'];
  process.stdout.write(
    `${renderTable(header, rows)}\n\nmedian (min–max) of ${rounds} rotating round(s), ${flags.duration} s measured each: ${fmt(Number(flags.streams))} streams on ${flags.connections} connections, in-flight 1, ${fmt(Number(flags.rate))} msgs/s asked (timer pacing), 16 B, embedded echo server on CPU 0\n`,
  );
}

await main();
