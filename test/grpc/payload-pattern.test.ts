import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPayloadPattern, measureGzipSavings, minimumSavings } from '../../src/grpc/payload-pattern.js';

const SEQS = [0, 7, 123_456, 99_999_999];
const MIB = 1_048_576;

/** The payload of message `seq` as the load generator builds it: its digits overwrite the start of the pattern. */
function payloadFor(pattern: Buffer, seq: number): Buffer {
  const digits = Buffer.from(String(seq), 'ascii');
  if (digits.length >= pattern.length) return digits.subarray(digits.length - pattern.length);
  const payload = Buffer.from(pattern);
  digits.copy(payload, 0);
  return payload;
}

function assertPrintableUtf8(bytes: Buffer, label: string): void {
  const bad = bytes.findIndex((byte) => byte < 0x20 || byte > 0x7e);
  assert.equal(bad, -1, `${label}: byte ${bad} is 0x${(bytes[bad] ?? 0).toString(16)}, not printable ASCII`);
  assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), label);
}

test('payloads (digits + pattern) save about the requested share under gzip', () => {
  for (const size of [1024, 16_384]) {
    for (const compressibility of [25, 50, 75, 90]) {
      const label = `size ${size}, compressibility ${compressibility}`;
      const pattern = buildPayloadPattern(size, compressibility);
      assert.equal(pattern.length, size, label);
      assertPrintableUtf8(pattern, label);
      const payloads = SEQS.map((seq) => payloadFor(pattern, seq));
      const measured = measureGzipSavings(payloads);
      assert.ok(Math.abs(measured - compressibility) <= 10, `${label}: measured ${measured} %`);
      for (const payload of payloads) assertPrintableUtf8(payload, label);
    }
  }
});

test('the same arguments give the same pattern, another seed or ratio a different one', () => {
  const table: Array<[number, number]> = [
    [100, 50],
    [1024, 50],
    [16_384, 75],
    [200_000, 25],
  ];
  for (const [size, compressibility] of table) {
    const label = `size ${size}, compressibility ${compressibility}`;
    const pattern = buildPayloadPattern(size, compressibility, 42);
    assert.ok(pattern.equals(buildPayloadPattern(size, compressibility, 42)), `${label}: not deterministic`);
    assert.ok(!pattern.equals(buildPayloadPattern(size, compressibility, 43)), `${label}: seed ignored`);
    assert.ok(!pattern.equals(buildPayloadPattern(size, compressibility + 10, 42)), `${label}: compressibility ignored`);
  }
  assert.ok(buildPayloadPattern(4096, 50).equals(buildPayloadPattern(4096, 50)), 'default seed is not fixed');
});

test('patterns under 1 KiB are the start of the 1 KiB pattern', () => {
  const full = buildPayloadPattern(1024, 60, 7);
  for (const size of [1, 10, 300, 1023]) {
    assert.ok(buildPayloadPattern(size, 60, 7).equals(full.subarray(0, size)), `size ${size}`);
  }
});

test('unreachable targets give the closest pattern instead of throwing', () => {
  for (const size of [1024, 16_384]) {
    const floor = minimumSavings(size);
    const low = measureGzipSavings([buildPayloadPattern(size, 0)]);
    assert.ok(low <= 25, `size ${size}: compressibility 0 saves ${low} %`);
    assert.equal(low, floor, `size ${size}: compressibility 0 is not the fully random pattern`);
    assert.equal(measureGzipSavings([buildPayloadPattern(size, 10)]), floor, `size ${size}: 10 % is below the floor`);
    const high = measureGzipSavings([buildPayloadPattern(size, 100)]);
    assert.ok(high >= 95 && high < 100, `size ${size}: compressibility 100 saves ${high} %`);
  }
});

test('minimumSavings is about 13-17 % from 1 KiB on and negative for tiny messages', () => {
  const table: Array<[number, number, number]> = [
    // size, lowest, highest
    [1024, 10, 16],
    [16_384, 15, 19],
    [4 * MIB, 15, 19],
  ];
  for (const [size, lowest, highest] of table) {
    const floor = minimumSavings(size);
    assert.ok(floor >= lowest && floor <= highest, `size ${size}: ${floor} %`);
  }
  assert.ok(minimumSavings(32) < 0, 'gzip framing should outweigh 32 random bytes');
  assert.equal(minimumSavings(0), 0);
});

test('size 0 gives an empty buffer', () => {
  for (const compressibility of [0, 50, 100]) assert.equal(buildPayloadPattern(0, compressibility).length, 0);
});

test('a 4 MiB pattern is built in one go with the requested savings', () => {
  const started = performance.now();
  const pattern = buildPayloadPattern(4 * MIB, 50);
  const elapsedMs = performance.now() - started;
  assert.equal(pattern.length, 4 * MIB);
  assertPrintableUtf8(pattern, '4 MiB pattern');
  const measured = measureGzipSavings([payloadFor(pattern, 123_456)]);
  assert.ok(Math.abs(measured - 50) <= 10, `measured ${measured} %`);
  // Fresh random content per 64 KiB block: no block repeats an earlier one.
  assert.ok(!pattern.subarray(0, 65_536).equals(pattern.subarray(65_536, 131_072)), 'blocks repeat');
  assert.ok(elapsedMs < 10_000, `took ${elapsedMs.toFixed(0)} ms`); // a hang bound only
});

test('measureGzipSavings pools the samples compressed one by one', () => {
  assert.equal(measureGzipSavings([]), 0);
  assert.equal(measureGzipSavings([Buffer.alloc(0)]), 0);
  assert.ok(measureGzipSavings([Buffer.from('a')]) < 0, 'one byte grows under gzip');
  const dots = Buffer.alloc(10_000, '.');
  const one = measureGzipSavings([dots]);
  assert.ok(one > 99, `${one}`);
  // Two copies compressed separately pay the gzip framing twice, unlike one buffer twice as long.
  assert.equal(measureGzipSavings([dots, dots]), one);
  assert.ok(measureGzipSavings([Buffer.concat([dots, dots])]) > one);
  const value = measureGzipSavings([buildPayloadPattern(3000, 40)]);
  assert.equal(value, Math.round(value * 10) / 10, 'not rounded to 0.1');
});

test('bad arguments throw RangeError naming the argument, range and value', () => {
  const table: Array<[() => unknown, RegExp]> = [
    [() => buildPayloadPattern(-1, 50), /^size must be an integer between 0 and 2147483648 \(bytes\), got -1$/],
    [() => buildPayloadPattern(1.5, 50), /^size must be .*, got 1\.5$/],
    [() => buildPayloadPattern(2 ** 31 + 1, 50), /^size must be .*, got 2147483649$/],
    [() => buildPayloadPattern(Number.NaN, 50), /^size must be .*, got NaN$/],
    [() => buildPayloadPattern(1024, -0.1), /^compressibility must be a number between 0 and 100 \(percent\), got -0\.1$/],
    [() => buildPayloadPattern(1024, 101), /^compressibility must be .*, got 101$/],
    [() => buildPayloadPattern(1024, Number.NaN), /^compressibility must be .*, got NaN$/],
    [() => buildPayloadPattern(1024, '50' as unknown as number), /^compressibility must be .*, got "50"$/],
    [() => buildPayloadPattern(1024, 50, -1), /^seed must be an integer between 0 and 4294967295, got -1$/],
    [() => buildPayloadPattern(1024, 50, 0.5), /^seed must be .*, got 0\.5$/],
    [() => minimumSavings(-5), /^size must be .*, got -5$/],
    [() => minimumSavings(1024, 2 ** 32), /^seed must be .*, got 4294967296$/],
  ];
  for (const [call, message] of table) assert.throws(call, (error: unknown) => error instanceof RangeError && message.test(error.message), String(message));
});
