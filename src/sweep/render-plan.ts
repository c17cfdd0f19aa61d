import { REPETITION_OVERHEAD_S, SERVER_START_S } from '../plan/estimate-sweep.js';
import type { ResolvedProfile } from '../types.js';
import type { SweepPlan } from './plan-sweep.js';

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  const minutes = Math.floor(s / 60);
  return `${minutes} min ${Math.round(s - minutes * 60)} s`;
}

/** What `sweep --dry-run` prints: cells, repetitions, order and the time estimate. */
export function renderSweepPlan(profile: ResolvedProfile, plan: SweepPlan): string {
  const lines: string[] = [];
  lines.push(`profile    ${profile.name}${profile.source ? ` (${profile.source})` : ''}`);
  if (profile.description) lines.push(`           ${profile.description}`);
  lines.push(`seed       ${plan.seed}`);
  const product = profile.axes.map((a) => `${a.name} ${a.values.length}`).join(' × ');
  lines.push(`cells      ${plan.cells.length} (${product})`);
  const toRun = plan.pending.length === plan.order.length ? '' : `, ${plan.pending.length} left to run`;
  lines.push(`repeat     ${plan.repeat} → ${plan.order.length} repetitions${toRun}, interleaved in ${plan.repeat} shuffled rounds`);
  const first = plan.cells[0]?.config;
  if (first) {
    lines.push(
      `each run   warm-up ${first.warmupS} s + duration ${first.durationS ?? '?'} s + ~${REPETITION_OVERHEAD_S} s setup · ${first.streams} streams × ${first.inFlight} in flight · ${first.target ?? embeddedServerText(plan.cells.map((c) => c.config.instances ?? 1))}`,
    );
  }
  lines.push(`servers    ${plan.estimate.serverStarts} embedded server start(s) (~${SERVER_START_S} s each; one per distinct window/max-message-size, kept alive)`);
  lines.push(`estimate   ~${formatSeconds(plan.estimate.seconds)} (${formatSeconds(plan.estimate.loadSeconds)} of load)`);
  lines.push('');
  lines.push('cells');
  plan.cells.forEach((cell, i) => lines.push(`  ${String(i + 1).padStart(3)}  ${cell.id}`));
  lines.push('');
  lines.push('order (cell numbers, one line per round)');
  for (let round = 0; round < plan.repeat; round++) {
    const steps = plan.order.filter((s) => s.repetition === round);
    const pendingSet = new Set(plan.pending);
    lines.push(`  round ${round + 1}: ${steps.map((s) => `${s.cellIndex + 1}${pendingSet.has(s) ? '' : '✓'}`).join(' ')}`);
  }
  return lines.join('\n');
}

/** "embedded server", or for fleets "embedded server, 2 processes" (or "1–3 processes" across cells). */
function embeddedServerText(instances: readonly number[]): string {
  const low = Math.min(...instances);
  const high = Math.max(...instances);
  if (high <= 1) return 'embedded server';
  return `embedded server, ${low === high ? high : `${low}–${high}`} processes`;
}
