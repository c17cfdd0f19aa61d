/**
 * Every failure classified once: its gRPC status name and one of these categories. Pure.
 *   transport — the connection was refused, reset or lost, or a stream reset (RST_STREAM, GOAWAY)
 *   rejected  — the server ended the call with an error before any echo
 *   aborted   — the server ended the call with an error (or early with OK) after echoes
 *   deadline  — DEADLINE_EXCEEDED
 *   auth      — UNAUTHENTICATED or PERMISSION_DENIED
 *   protocol  — a response the client could not accept (not gRPC, malformed, too large) or a wrong echo
 *   harness   — the generator itself failed a call (e.g. it could not open one)
 */
import { Status } from '../engine/status-codes.js';
import type { CallStatus } from '../engine/transport.js';

export const ERROR_CATEGORIES = ['transport', 'rejected', 'aborted', 'deadline', 'auth', 'protocol', 'harness'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** The category of a call that ended with a non-OK status after `echoes` echoes. */
export function classifyFailure(status: CallStatus, echoes: number): ErrorCategory {
  if (status.code === Status.DEADLINE_EXCEEDED) return 'deadline';
  if (status.origin === 'transport') return 'transport';
  if (status.origin === 'protocol') return 'protocol';
  if (status.origin === 'harness') return 'harness';
  if (status.code === Status.UNAUTHENTICATED || status.code === Status.PERMISSION_DENIED) return 'auth';
  return echoes === 0 ? 'rejected' : 'aborted';
}

/** The key under which a failure's ErrorInfo is counted: "domain/REASON", or REASON alone. */
export function reasonKey(reason: string, domain: string | null): string {
  return domain ? `${domain}/${reason}` : reason;
}
