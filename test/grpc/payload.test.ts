import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FixedPayloads, PayloadFactory } from '../../src/grpc/payload.js';
import { buildPayloadPattern } from '../../src/grpc/payload-pattern.js';

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

const PREFIX = 'Server received: ';
const WRITE_SEQS = [0, 1, 9, 10, 99, 100, 999, 1000, 12_345, 99_999, 100_000, 123_456_789, 2 ** 31, Number.MAX_SAFE_INTEGER];

function factories(): Array<[string, PayloadFactory]> {
  const list: Array<[string, PayloadFactory]> = [];
  for (const size of [0, 1, 3, 16, 1024]) {
    list.push([`size ${size}`, new PayloadFactory(size)]);
    for (const compressibility of [0, 50, 100]) {
      list.push([`size ${size}, ${compressibility} % pattern`, new PayloadFactory(size, buildPayloadPattern(size, compressibility))]);
    }
  }
  return list;
}

test('writeTo writes exactly the UTF-8 bytes of make(seq), and only those', () => {
  for (const [label, p] of factories()) {
    assert.equal(p.byteLength(), p.size, `${label}: byteLength`);
    for (const seq of WRITE_SEQS) {
      const text = p.make(seq);
      assert.equal(Buffer.byteLength(text), p.size, `${label}, seq ${seq}: make length`);
      const target = Buffer.alloc(p.size + 6, 0xee);
      p.writeTo(target, 3, seq);
      assert.deepEqual(target.subarray(3, 3 + p.size), Buffer.from(text), `${label}, seq ${seq}`);
      assert.ok(target.subarray(0, 3).equals(Buffer.alloc(3, 0xee)) && target.subarray(3 + p.size).equals(Buffer.alloc(3, 0xee)), `${label}, seq ${seq}: wrote outside`);
      // Over a previous payload: nothing of it may remain.
      p.writeTo(target, 3, Number.MAX_SAFE_INTEGER - seq);
      p.writeTo(target, 3, seq);
      assert.deepEqual(target.subarray(3, 3 + p.size), Buffer.from(text), `${label}, seq ${seq} over another payload`);
    }
  }
});

/** `text` with the byte at `index` replaced by another printable character. */
function changeByte(text: string, index: number): string {
  const bytes = Buffer.from(text);
  bytes[index] = bytes[index] === 0x21 ? 0x22 : 0x21;
  return bytes.toString();
}

function echoCases(p: { make(seq: number): string }, seq: number): Array<[string, string]> {
  const echo = PREFIX + p.make(seq);
  const cases: Array<[string, string]> = [
    ['the echo', echo],
    ['echo of seq + 1', PREFIX + p.make(seq + 1)],
    ['echo of seq + 10', PREFIX + p.make(seq + 10)],
    ['echo of seq × 10', PREFIX + p.make(seq * 10)],
    ['wrong prefix', `Server answered: ${p.make(seq)}`],
    ['prefix only', PREFIX],
    ['no prefix', p.make(seq)],
    ['one byte longer', `${echo}.`],
    ['one byte shorter', echo.slice(0, -1)],
    ['empty', ''],
  ];
  const length = Buffer.byteLength(echo);
  for (const index of [0, PREFIX.length, PREFIX.length + 1, length - 2, length - 1]) {
    if (index >= 0 && index < length) cases.push([`byte ${index} changed`, changeByte(echo, index)]);
  }
  return cases;
}

/** isEchoBytes on the reply's UTF-8 bytes, placed inside a larger buffer. */
function isEchoBytesOf(p: { isEchoBytes(buf: Buffer, start: number, end: number, seq: number): boolean }, reply: string, seq: number): boolean {
  const bytes = Buffer.from(reply);
  const buf = Buffer.concat([Buffer.from('xy'), bytes, Buffer.from('z')]);
  return p.isEchoBytes(buf, 2, 2 + bytes.length, seq);
}

test('isEchoBytes agrees with isEcho on echoes, other seqs, wrong prefix, wrong length and changed bytes', () => {
  for (const [label, p] of factories()) {
    for (const seq of [0, 7, 10, 123, 12_345, 123_456_789]) {
      for (const [what, reply] of echoCases(p, seq)) {
        const where = `${label}, seq ${seq}: ${what}`;
        const expected = p.isEcho(reply, seq);
        assert.equal(isEchoBytesOf(p, reply, seq), expected, where);
        if (what === 'the echo') assert.equal(expected, true, where);
        else if (reply !== PREFIX + p.make(seq)) assert.equal(expected, false, where);
      }
    }
  }
});

test('a changed byte anywhere in the pattern tail is not an echo', () => {
  const p = new PayloadFactory(64, buildPayloadPattern(64, 50));
  const echo = PREFIX + p.make(42);
  for (let index = PREFIX.length; index < Buffer.byteLength(echo); index++) {
    const reply = changeByte(echo, index);
    assert.equal(p.isEcho(reply, 42), false, `isEcho, byte ${index}`);
    assert.equal(isEchoBytesOf(p, reply, 42), false, `isEchoBytes, byte ${index}`);
  }
});

test('FixedPayloads: make, byteLength, writeTo and echo checks on multi-byte UTF-8', () => {
  const messages = ['hello', '', 'café', '€ 漢字', '😀🚀', 'é'.repeat(300)];
  const p = new FixedPayloads(messages);
  for (const [seq, message] of [...messages.entries(), [messages.length, ''] as [number, string]]) {
    const where = `seq ${seq} (${JSON.stringify(message.slice(0, 10))})`;
    assert.equal(p.make(seq), message, where);
    const bytes = Buffer.from(message);
    assert.equal(p.byteLength(seq), bytes.length, `${where}: byteLength`);
    const target = Buffer.alloc(bytes.length + 4, 0xee);
    p.writeTo(target, 2, seq);
    assert.deepEqual(target.subarray(2, 2 + bytes.length), bytes, `${where}: writeTo`);
    assert.ok(target.subarray(0, 2).equals(Buffer.alloc(2, 0xee)) && target.subarray(2 + bytes.length).equals(Buffer.alloc(2, 0xee)), `${where}: wrote outside`);
    for (const [what, reply] of echoCases(p, seq)) {
      const expected = p.isEcho(reply, seq);
      assert.equal(isEchoBytesOf(p, reply, seq), expected, `${where}: ${what}`);
      if (what === 'the echo') assert.equal(expected, true, `${where}: ${what}`);
    }
  }
  assert.equal(p.isEcho(`${PREFIX}café`, 3), false, 'echo of another message');
  assert.equal(isEchoBytesOf(p, `${PREFIX}café`, 3), false, 'echo of another message, bytes');
});
