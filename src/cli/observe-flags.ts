import type { Argv } from 'yargs';
import { checkInteger } from '../config/checks.js';
import { observeAll, type RunObserver } from '../observe/observer.js';

/** Watching a run or sweep: the live page and the Prometheus endpoint. */
export interface ObserveFlags {
  live?: string;
  prometheus?: string;
}

export function withObserveFlags<T>(y: Argv<T>): Argv<T & ObserveFlags> {
  return y
    .option('live', { type: 'string', describe: 'Serve a live page on 127.0.0.1 while it runs (--live: a free port, --live PORT); the URL goes to stderr' })
    .option('prometheus', { type: 'string', requiresArg: true, describe: 'Serve Prometheus metrics on 127.0.0.1:PORT/metrics while it runs (0: a free port)' }) as Argv<T & ObserveFlags>;
}

/** The observers the flags ask for (each module is loaded only when asked for); null when none. */
export async function openObservers(flags: ObserveFlags, kind: 'run' | 'sweep'): Promise<RunObserver | null> {
  const observers: RunObserver[] = [];
  try {
    if (flags.live !== undefined) {
      const port = flags.live === '' ? 0 : checkInteger('--live', flags.live, 0, 65_535);
      const { startLivePage } = await import('../observe/live/live-page.js');
      const page = await startLivePage({ port, kind });
      process.stderr.write(`live page  ${page.url}\n`);
      observers.push(page);
    }
    if (flags.prometheus !== undefined) {
      const port = checkInteger('--prometheus', flags.prometheus, 0, 65_535);
      const { startPrometheusExporter } = await import('../observe/prometheus/exporter.js');
      const exporter = await startPrometheusExporter({ port });
      process.stderr.write(`metrics    ${exporter.url}\n`);
      observers.push(exporter);
    }
  } catch (error) {
    await Promise.all(observers.map((o) => o.close()));
    throw error;
  }
  return observers.length === 0 ? null : observeAll(observers);
}
