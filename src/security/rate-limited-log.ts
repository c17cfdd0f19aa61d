/*
 * At most one line per key (e.g. a rejection reason) per interval. Lines that would come sooner
 * are counted, and the count is written once the interval is over ("… 41 more suppressed"),
 * so a flood of bad requests costs a line a second per reason, never a line per request.
 */

export interface RateLimitedLogOptions {
  write(line: string): void;
  /** Line for `count` suppressed notes of `key` (written when their interval ends, or at flush). */
  summarize(key: string, count: number): string;
  intervalMs: number;
  now?: () => number;
  /** Schedules the end-of-interval summary; returns a cancel function (tests pass a fake). */
  schedule?: (run: () => void, delayMs: number) => () => void;
}

export interface RateLimitedLog {
  /** Writes `line` unless `key` had a line within the interval; then counts it. Returns whether it was written. */
  note(key: string, line: string): boolean;
  /** Writes the pending counts now (at shutdown). */
  flush(): void;
}

interface KeyState {
  lastWrittenAt: number;
  suppressed: number;
  cancel: (() => void) | null;
}

function scheduleUnref(run: () => void, delayMs: number): () => void {
  const timer = setTimeout(run, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
}

export function createRateLimitedLog(options: RateLimitedLogOptions): RateLimitedLog {
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? scheduleUnref;
  const keys = new Map<string, KeyState>();

  const writeSummary = (key: string, state: KeyState): void => {
    state.cancel = null;
    if (state.suppressed === 0) return;
    options.write(options.summarize(key, state.suppressed));
    state.suppressed = 0;
    state.lastWrittenAt = now();
  };

  return {
    note: (key, line) => {
      const at = now();
      const state = keys.get(key);
      if (state === undefined) {
        options.write(line);
        keys.set(key, { lastWrittenAt: at, suppressed: 0, cancel: null });
        return true;
      }
      if (at - state.lastWrittenAt >= options.intervalMs) {
        if (state.suppressed === 0) {
          options.write(line);
          state.lastWrittenAt = at;
          return true;
        }
        // The summary timer is late (a busy event loop): the summary is this interval's line.
        state.cancel?.();
        writeSummary(key, state);
      }
      state.suppressed++;
      state.cancel ??= schedule(() => writeSummary(key, state), Math.max(0, state.lastWrittenAt + options.intervalMs - at));
      return false;
    },
    flush: () => {
      for (const [key, state] of keys) {
        state.cancel?.();
        writeSummary(key, state);
      }
    },
  };
}
