/**
 * Open-loop schedule of one stream: message k (0-based) is due at
 * `startMs + phaseMs + k * intervalMs`. Pure, so the schedule can be tested without timers.
 */
export interface Schedule {
  startMs: number;
  phaseMs: number;
  intervalMs: number;
}

/** A stream's schedule when `totalRate` msgs/s are spread over `totalStreams` streams. */
export function streamSchedule(startMs: number, totalRate: number, totalStreams: number, streamIndex: number): Schedule {
  const intervalMs = (1000 * totalStreams) / totalRate;
  // Streams are phase-shifted so that the total load is evenly spaced, not sent in bursts.
  const phaseMs = (intervalMs * streamIndex) / totalStreams;
  return { startMs, phaseMs, intervalMs };
}

/** When message k is intended to be sent. */
export function intendedTime(schedule: Schedule, k: number): number {
  return schedule.startMs + schedule.phaseMs + k * schedule.intervalMs;
}

/** How many messages are due at `nowMs` (those with intended time ≤ now). */
export function dueCount(schedule: Schedule, nowMs: number): number {
  const elapsed = nowMs - schedule.startMs - schedule.phaseMs;
  if (elapsed < 0) return 0;
  return Math.floor(elapsed / schedule.intervalMs) + 1;
}
