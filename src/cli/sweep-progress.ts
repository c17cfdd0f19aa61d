import cliProgress from 'cli-progress';
import type { SweepProgress } from '../types.js';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A progress bar of a sweep on a TTY (cell i/n, repetition, elapsed, ETA); nothing elsewhere. */
export class SweepProgressBar {
  private bar: cliProgress.SingleBar | null = null;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(p: SweepProgress): void {
    if (!this.enabled) return;
    const payload = {
      cell: `${p.cellIndex}/${p.cellCount}`,
      rep: `${p.repetition + 1}/${p.repeat}`,
      etaText: clock(p.etaS),
    };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: 'sweep [{bar}] {value}/{total} runs | cell {cell} rep {rep} | elapsed {duration_formatted} | ETA {etaText}',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 1,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(p.total, p.done, payload);
      return;
    }
    this.bar.update(p.done, payload);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
