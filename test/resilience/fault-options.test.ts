import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, ExitCode } from '../../src/errors.js';
import { injectsFaults, resolveFaultOptions, type FaultFlags, type FaultOptions } from '../../src/resilience/fault-options.js';

const NONE: FaultOptions = { seed: 1, reject: null, abort: null, drop: null, stall: null, connectionAge: null };

test('resolves each fault flag; defaults: seed 1, UNAVAILABLE for rejections, ABORTED for aborts, reason INJECTED_FAULT', () => {
  const table: Array<[FaultFlags, FaultOptions]> = [
    [{}, NONE],
    [{ 'fault-seed': '7' }, { ...NONE, seed: 7 }],
    [{ 'fail-rate': '0.5' }, { ...NONE, reject: { rate: 0.5, status: 'UNAVAILABLE', code: 14, reason: 'INJECTED_FAULT', retryAfterMs: null } }],
    [
      { 'fail-rate': '0.25', 'fail-status': 'resource_exhausted', 'fail-reason': 'OVERLOADED', 'retry-after': '250' },
      { ...NONE, reject: { rate: 0.25, status: 'RESOURCE_EXHAUSTED', code: 8, reason: 'OVERLOADED', retryAfterMs: 250 } },
    ],
    [{ 'abort-after': '3' }, { ...NONE, abort: { afterEchoes: 3, status: 'ABORTED', code: 10, reason: 'INJECTED_FAULT' } }],
    [
      { 'fail-rate': '1', 'abort-after': '2' },
      {
        ...NONE,
        reject: { rate: 1, status: 'UNAVAILABLE', code: 14, reason: 'INJECTED_FAULT', retryAfterMs: null },
        abort: { afterEchoes: 2, status: 'ABORTED', code: 10, reason: 'INJECTED_FAULT' },
      },
    ],
    [
      { 'fail-rate': '0', 'abort-after': '2', 'fail-status': 'INTERNAL' },
      {
        ...NONE,
        reject: { rate: 0, status: 'INTERNAL', code: 13, reason: 'INJECTED_FAULT', retryAfterMs: null },
        abort: { afterEchoes: 2, status: 'INTERNAL', code: 13, reason: 'INJECTED_FAULT' },
      },
    ],
    [{ 'drop-rate': '0.2' }, { ...NONE, drop: { rate: 0.2 } }],
    [{ 'stall-every': '1.5', 'stall-ms': '300' }, { ...NONE, stall: { everyMs: 1500, durationMs: 300 } }],
    [{ 'max-connection-age': '0.5' }, { ...NONE, connectionAge: { ageMs: 500, graceMs: null } }],
    [{ 'max-connection-age': '2', 'max-connection-age-grace': '0' }, { ...NONE, connectionAge: { ageMs: 2000, graceMs: 0 } }],
  ];
  for (const [flags, expected] of table) assert.deepEqual(resolveFaultOptions(flags), expected, JSON.stringify(flags));
});

test('each bad flag or combination is one ConfigError line (exit 2) naming what is allowed and what was given', () => {
  const table: Array<[FaultFlags, string]> = [
    [{ 'fail-status': 'UNAVAILABLE' }, '--fail-status needs --fail-rate or --abort-after (it is the status rejected or aborted streams end with)'],
    [{ 'fail-reason': 'OVERLOADED' }, '--fail-reason needs --fail-rate or --abort-after (it is the ErrorInfo reason of rejected or aborted streams)'],
    [{ 'retry-after': '100', 'abort-after': '3' }, '--retry-after needs --fail-rate (the RetryInfo goes with rejected streams)'],
    [{ 'stall-ms': '300' }, '--stall-ms needs --stall-every (how often the server stalls)'],
    [{ 'stall-every': '1' }, '--stall-every needs --stall-ms (how long each stall lasts)'],
    [{ 'max-connection-age-grace': '1' }, '--max-connection-age-grace needs --max-connection-age (the grace starts at the GOAWAY)'],
    [{ 'fail-rate': '1.5' }, '--fail-rate must be a number from 0 to 1, got "1.5"'],
    [{ 'fail-rate': '-0.1' }, '--fail-rate must be a number from 0 to 1, got "-0.1"'],
    [{ 'fail-rate': '' }, '--fail-rate must be a number from 0 to 1, got ""'],
    [{ 'drop-rate': 'half' }, '--drop-rate must be a number from 0 to 1, got "half"'],
    [
      { 'fail-rate': '0.1', 'fail-status': 'UNAVAILBLE' },
      '--fail-status must be a gRPC status name other than OK (CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED), got "UNAVAILBLE"',
    ],
    [
      { 'abort-after': '1', 'fail-status': 'OK' },
      '--fail-status must be a gRPC status name other than OK (CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED), got "OK"',
    ],
    [
      { 'fail-rate': '0.1', 'fail-reason': 'overloaded' },
      '--fail-reason must be an ErrorInfo reason: 2 to 63 characters of A-Z, 0-9 and _, starting with a letter and not ending with _ (e.g. OVERLOADED), got "overloaded"',
    ],
    [
      { 'fail-rate': '0.1', 'fail-reason': `A${'B'.repeat(63)}` },
      `--fail-reason must be an ErrorInfo reason: 2 to 63 characters of A-Z, 0-9 and _, starting with a letter and not ending with _ (e.g. OVERLOADED), got "A${'B'.repeat(63)}"`,
    ],
    [{ 'fail-rate': '0.1', 'retry-after': '-1' }, '--retry-after must be an integer from 0 to 3600000 (ms), got "-1"'],
    [{ 'fail-rate': '0.1', 'retry-after': '2.5' }, '--retry-after must be an integer from 0 to 3600000 (ms), got "2.5"'],
    [{ 'abort-after': '0' }, '--abort-after must be an integer from 1 to 1000000000 (echoes), got "0"'],
    [{ 'stall-every': '0', 'stall-ms': '1' }, '--stall-every must be a number of seconds from 0.01 to 86400, got "0"'],
    [{ 'stall-every': '1', 'stall-ms': '1000' }, '--stall-ms must be an integer from 1 to 999 (shorter than --stall-every 1 s), got "1000"'],
    [{ 'stall-every': '1', 'stall-ms': '0' }, '--stall-ms must be an integer from 1 to 999 (shorter than --stall-every 1 s), got "0"'],
    [{ 'max-connection-age': '0' }, '--max-connection-age must be a number of seconds from 0.01 to 86400, got "0"'],
    [{ 'max-connection-age': '1', 'max-connection-age-grace': '-1' }, '--max-connection-age-grace must be a number of seconds from 0 to 86400, got "-1"'],
    [{ 'fault-seed': '1.5' }, '--fault-seed must be an integer from 0 to 4294967295, got "1.5"'],
    [{ 'fault-seed': '-1' }, '--fault-seed must be an integer from 0 to 4294967295, got "-1"'],
    [{ 'fail-rate': ['0.1', '0.2'] }, '--fail-rate was given 2 times; give it once'],
  ];
  for (const [flags, message] of table) {
    assert.throws(
      () => resolveFaultOptions(flags),
      (error: unknown) => error instanceof ConfigError && error.exitCode === ExitCode.invalidArguments && error.message === message,
      `${JSON.stringify(flags)} → ${message}`,
    );
  }
});

test('injectsFaults: any fault flag, even a zero rate; the seed alone is none', () => {
  assert.equal(injectsFaults(resolveFaultOptions({})), false);
  assert.equal(injectsFaults(resolveFaultOptions({ 'fault-seed': '9' })), false);
  assert.equal(injectsFaults(resolveFaultOptions({ 'drop-rate': '0' })), true);
  assert.equal(injectsFaults(resolveFaultOptions({ 'fail-rate': '0' })), true);
  assert.equal(injectsFaults(resolveFaultOptions({ 'max-connection-age': '5' })), true);
});
