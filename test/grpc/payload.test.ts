import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadFactory } from '../../src/grpc/payload.js';

test('payloads have the exact size and carry the sequence number', () => {
  const table: Array<[number, number, string]> = [
    [16, 0, '0...............'],
    [16, 12345, '12345...........'],
    [3, 12345, '345'],
    [0, 7, ''],
  ];
  for (const [size, seq, want] of table) assert.equal(new PayloadFactory(size).make(seq), want);
  assert.equal(Buffer.byteLength(new PayloadFactory(1_048_576).make(99)), 1_048_576);
});

test('isEcho accepts exactly "Server received: " + the message', () => {
  const p = new PayloadFactory(16);
  assert.equal(p.isEcho(`Server received: ${p.make(42)}`, 42), true);
  assert.equal(p.isEcho(`Server received: ${p.make(43)}`, 42), false);
  assert.equal(p.isEcho(`Server answered: ${p.make(42)}`, 42), false);
  assert.equal(p.isEcho(p.make(42), 42), false);
  assert.equal(p.hasEchoLength(`Server received: ${p.make(42)}`), true);
  assert.equal(p.hasEchoLength(`Server received: ${p.make(42)}x`), false);
});
