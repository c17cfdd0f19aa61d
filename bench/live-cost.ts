/**
 * What watching costs: generator CPU per echoed message of the same run without and with
 * `--live` (a headless Chromium connected to the page for the whole run) and `--prometheus`
 * (scraped every second), alternating run by run; medians, ranges and the change in %.
 *
 *   npm run bench:live                       # against the seed's Go server (.peers/), pinned to CPU 0
 *   npm run bench:live -- --target H:P       # against any server
 *   npm run bench:live -- --rounds 7 --duration 4 --rate 100000
 *
 * The load is open loop at a fixed rate (default 100,000 msgs/s, below what either side needs to
 * saturate), so every mode does the same work at the same batching: a closed loop would let any
 * CPU taken from the server change how many echoes arrive per read, and with it the cost per message.
 * Pacing is `timer`: `spin` polls between sends and keeps the generator's core busy whatever it does.
 * The generator runs on CPU 1 (--client-cpus 1). One Chromium, started before the first round and
 * pinned to CPU 0 with the server, opens a new page for each live run, so what is measured is the
 * generator's own work for the page (SSE, JSON, HTTP), not the browser competing for its core.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { renderTable } from '../src/report/format.js';
import { median } from '../src/stats/spread.js';
import type { RunResultsFile } from '../src/types.js';
import { startGoServer } from './peers.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MODES = ['plain', 'live', 'prometheus'] as const;
type Mode = (typeof MODES)[number];

const { values: flags } = parseArgs({
  options: {
    target: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '4' },
    rate: { type: 'string', default: '100000' },
  },
});
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error(`--rounds must be an integer from 1 to 50, got ${flags.rounds}`);

interface Sample {
  mode: Mode;
  cpuUsPerMsg: number;
  msgsPerS: number;
}

/** One run in a child process; in live mode a browser opens the page as soon as its URL is printed. */
async function runOnce(mode: Mode, target: string, out: string, browser: Browser): Promise<Sample> {
  const args = [CLI, 'run', '--target', target, '--client-cpus', '1', '--streams', '16', '--in-flight', '64', '--window', '1MiB', '--rate', String(flags.rate), '--pacing', 'timer', '--duration', String(flags.duration), '--warmup', '1', '--out', out];
  if (mode === 'live') args.push('--live', '0');
  if (mode === 'prometheus') args.push('--prometheus', '0');
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let page: Promise<Page> | null = null;
  let scraper: NodeJS.Timeout | undefined;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const live = /live page\s+(http\S+)/.exec(stderr);
    if (live && page === null && mode === 'live') {
      page = browser.newPage().then(async (p) => (await p.goto(live[1] as string), p));
    }
    const metrics = /metrics\s+(http\S+)/.exec(stderr);
    if (metrics && scraper === undefined) scraper = setInterval(() => void fetch(metrics[1] as string).then((r) => r.text()).catch(() => undefined), 1000);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(scraper);
  await (await (page as Promise<Page> | null))?.close();
  if (code !== 0 || !existsSync(out)) throw new Error(`${mode} run failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
  const m = (JSON.parse(readFileSync(out, 'utf8')) as RunResultsFile).run.metrics;
  if (m.generator.cpuUsPerMsg === null) throw new Error(`${mode} run echoed nothing`);
  return { mode, cpuUsPerMsg: m.generator.cpuUsPerMsg, msgsPerS: m.msgsPerS };
}

const fmt = (x: number, digits: number): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run npm run build first');
  const target = flags.target ?? (await startGoServer('seed-server'));
  const dir = mkdtempSync(join(tmpdir(), 'gsb-live-cost-'));
  // Chromium on CPU 0 (with the server): a wrapper that pins it, inherited by its child processes.
  const pinned = join(dir, 'chromium-cpu0');
  writeFileSync(pinned, `#!/bin/sh\nexec taskset -c 0 ${CHROMIUM} "$@"\n`);
  chmodSync(pinned, 0o755);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: pinned, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const samples: Sample[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no mode always runs first on a warmer machine.
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length] as Mode);
      for (const mode of order) {
        process.stderr.write(`\r\x1b[2Kround ${round + 1}/${rounds} · ${mode}`);
        samples.push(await runOnce(mode, target, join(dir, `${round}-${mode}.json`), browser));
      }
    }
  } finally {
    process.stderr.write('\r\x1b[2K');
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (mode: Mode): Sample[] => samples.filter((s) => s.mode === mode);
  const base = median(of('plain').map((s) => s.cpuUsPerMsg));
  const rows = MODES.map((mode) => {
    const cpu = of(mode).map((s) => s.cpuUsPerMsg);
    const mid = median(cpu);
    return [mode, `${fmt(mid, 3)} (${fmt(Math.min(...cpu), 3)}–${fmt(Math.max(...cpu), 3)})`, mode === 'plain' ? '' : `${mid >= base ? '+' : ''}${fmt(((mid - base) / base) * 100, 1)} %`, fmt(median(of(mode).map((s) => s.msgsPerS)), 0)];
  });
  process.stdout.write(`${renderTable(['mode', 'generator CPU µs/msg', 'vs plain', 'msgs/s'], rows)}\n\nmedian (min–max) of ${rounds} rotating rounds, ${flags.duration} s measured each, 16 streams × 64 in flight, 16 B, open loop at ${fmt(Number(flags.rate), 0)} msgs/s (timer pacing), against ${flags.target ?? 'the Go seed server on CPU 0'}\n`);
}

await main();
