import { setTimeout as sleep } from 'node:timers/promises';

/** How long before a planned start the workers are started and connected. */
export const PREPARE_LEAD_MS = 15_000;

/**
 * With a start far ahead (--start-at up to 24 h), waits until PREPARE_LEAD_MS before it, so
 * connections are not held idle for hours (and not closed by idle timeouts on the way).
 * Returns at once without a planned start, when it is near, or when `signal` aborts.
 */
export async function waitUntilNearStart(startAtMs: number | null | undefined, signal?: AbortSignal): Promise<void> {
  if (startAtMs === null || startAtMs === undefined) return;
  const waitMs = startAtMs - PREPARE_LEAD_MS - Date.now();
  if (waitMs <= 0 || signal?.aborted) return;
  try {
    await sleep(waitMs, undefined, { signal });
  } catch {
    // Aborted: the run starts and stops at once, recorded as interrupted.
  }
}
