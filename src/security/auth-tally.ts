import type { AuthDecision } from './jwt-verifier.js';

/** Streams accepted and refused (by reason) since the server started. */
export interface AuthCounts {
  accepted: number;
  rejected: Map<string, number>;
}

export function createAuthCounts(): AuthCounts {
  return { accepted: 0, rejected: new Map() };
}

export function countAuthDecision(counts: AuthCounts, decision: AuthDecision): void {
  if (decision.accepted) counts.accepted++;
  else counts.rejected.set(decision.reason, (counts.rejected.get(decision.reason) ?? 0) + 1);
}

/** "auth: 120 accepted, 3 rejected (token expired ×2, missing bearer token ×1)"; most frequent reason first. */
export function renderAuthSummary(counts: AuthCounts): string {
  const reasons = [...counts.rejected].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const rejected = reasons.reduce((sum, [, n]) => sum + n, 0);
  const detail = reasons.length === 0 ? '' : ` (${reasons.map(([reason, n]) => `${reason} ×${n}`).join(', ')})`;
  return `auth: ${counts.accepted} accepted, ${rejected} rejected${detail}`;
}
