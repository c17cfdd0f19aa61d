import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originOf } from '../../src/engine/grpc-js/grpc-js-status.js';
import { Status } from '../../src/engine/status-codes.js';
import type { CallStatus, StatusOrigin } from '../../src/engine/transport.js';
import { classifyFailure, reasonKey } from '../../src/resilience/error-class.js';

const status = (code: number, origin: StatusOrigin): CallStatus => ({ code, details: '', origin, rich: null, pushbackMs: null });

test('every failure falls in one category', () => {
  const table: [CallStatus, number, string][] = [
    [status(Status.UNAVAILABLE, 'transport'), 0, 'transport'],
    [status(Status.UNAVAILABLE, 'transport'), 5, 'transport'],
    [status(Status.UNAVAILABLE, 'server'), 0, 'rejected'],
    [status(Status.UNAVAILABLE, 'server'), 3, 'aborted'],
    [status(Status.DEADLINE_EXCEEDED, 'server'), 3, 'deadline'],
    [status(Status.DEADLINE_EXCEEDED, 'transport'), 0, 'deadline'],
    [status(Status.UNAUTHENTICATED, 'server'), 0, 'auth'],
    [status(Status.PERMISSION_DENIED, 'server'), 0, 'auth'],
    [status(Status.UNAUTHENTICATED, 'protocol'), 0, 'protocol'], // HTTP 401 from something that is not gRPC
    [status(Status.RESOURCE_EXHAUSTED, 'protocol'), 0, 'protocol'],
    [status(Status.INTERNAL, 'harness'), 0, 'harness'],
  ];
  for (const [s, echoes, category] of table) assert.equal(classifyFailure(s, echoes), category, `${s.code} ${s.origin} after ${echoes}`);
});

test("grpc-js statuses are traced to their origin by grpc-js's own details", () => {
  const table: [string, StatusOrigin][] = [
    ['Connection dropped', 'transport'],
    ['Stream refused by server', 'transport'],
    ['Received RST_STREAM with code 2 (Internal server error)', 'transport'],
    ['Received RST_STREAM with code 0 (Call ended without gRPC status)', 'protocol'],
    ['No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1', 'transport'],
    ['read ECONNRESET', 'transport'],
    ['Received HTTP status code 503', 'protocol'],
    ['Response message parsing error: index out of range', 'protocol'],
    ['Received message larger than max (5242880 vs 4194304)', 'protocol'],
    ['injected fault: OVERLOADED', 'server'],
    ['token expired', 'server'],
  ];
  for (const [details, origin] of table) assert.equal(originOf(details), origin, details);
});

test('reasons are counted as domain/REASON', () => {
  assert.equal(reasonKey('OVERLOADED', 'bench.example'), 'bench.example/OVERLOADED');
  assert.equal(reasonKey('OVERLOADED', null), 'OVERLOADED');
});
