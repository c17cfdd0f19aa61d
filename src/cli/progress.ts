import type { LiveProgress } from '../load/run-load.js';
import { formatCount } from '../report/format.js';

/** A one-line live display on a TTY stream; does nothing elsewhere. */
export class ProgressLine {
  private shown = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(progress: LiveProgress, label = ''): void {
    if (!this.enabled) return;
    const text = `${label}[${progress.second}s] ${formatCount(progress.received)} msgs/s · ${formatCount(progress.errors)} errors`;
    this.stream.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
