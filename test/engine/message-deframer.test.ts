import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageDeframer } from '../../src/engine/h2/message-deframer.js';
import type { MessageSink } from '../../src/engine/h2/message-deframer.js';
import { Status } from '../../src/engine/status-codes.js';
import type { CallStatus } from '../../src/engine/transport.js';
import { seededRandom } from '../../src/stats/seeded-random.js';

const MAX = 4 * 1024 * 1024;

interface Frame {
  body: Buffer;
  compressed: boolean;
}

/** One gRPC length-prefixed message: flag, 4-byte big-endian length, body. */
function frame(body: Buffer, flag: number): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** Frames of the given sizes with distinct random bodies, so a reordering or mix-up shows. */
function makeFrames(specs: ReadonlyArray<[size: number, compressed: boolean]>, seed: number): Frame[] {
  const random = seededRandom(seed);
  return specs.map(([size, compressed]) => {
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = Math.floor(random() * 256);
    return { body, compressed };
  });
}

function streamOf(frames: readonly Frame[]): Buffer {
  return Buffer.concat(frames.map((f) => frame(f.body, f.compressed ? 1 : 0)));
}

interface Delivery {
  bytes: Buffer;
  compressed: boolean;
  buf: Buffer;
  start: number;
  end: number;
}

/** A sink that copies what it gets (chunks belong to the caller) and keeps the arguments. */
function recordingSink(deliveries: Delivery[], stopAfter = Infinity): MessageSink {
  return {
    onMessage(buf, start, end, compressed) {
      deliveries.push({ bytes: Buffer.from(buf.subarray(start, end)), compressed, buf, start, end });
      return deliveries.length < stopAfter;
    },
  };
}

/**
 * Feeds `stream` cut at `cuts` (ascending offsets) and checks every message, its flag, whether
 * it was passed in place (a frame wholly inside one chunk) or assembled into a buffer of its
 * exact size (a frame across chunks), and `partial` after each chunk.
 */
function feedAndCheck(frames: readonly Frame[], stream: Buffer, cuts: readonly number[], label: string): void {
  const deframer = new MessageDeframer(MAX);
  const deliveries: Delivery[] = [];
  const sink = recordingSink(deliveries);
  const bounds = [0, ...cuts, stream.length];
  const chunks: Array<{ chunk: Buffer; from: number; to: number }> = [];
  const frameEnds = new Set<number>([0]);
  let offset = 0;
  for (const f of frames) frameEnds.add((offset += 5 + f.body.length));
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i] as number;
    const to = bounds[i + 1] as number;
    const chunk = stream.subarray(from, to);
    chunks.push({ chunk, from, to });
    assert.equal(deframer.push(chunk, sink), null, `${label}: chunk ${from}..${to}`);
    assert.equal(deframer.partial, !frameEnds.has(to), `${label}: partial after ${to}`);
  }
  assert.equal(deliveries.length, frames.length, `${label}: message count`);
  offset = 0;
  for (const [i, f] of frames.entries()) {
    const got = deliveries[i] as Delivery;
    const where = `${label}: message ${i} (${f.body.length} bytes)`;
    assert.ok(got.bytes.equals(f.body), `${where}: bytes`);
    assert.equal(got.compressed, f.compressed, `${where}: flag`);
    const frameStart = offset;
    offset += 5 + f.body.length;
    const home = chunks.find((c) => c.from <= frameStart && offset <= c.to && c.to > c.from);
    if (home !== undefined) {
      assert.equal(got.buf, home.chunk, `${where}: not passed in place`);
      assert.equal(got.start, frameStart + 5 - home.from, `${where}: start`);
      assert.equal(got.end, offset - home.from, `${where}: end`);
    } else {
      assert.ok(chunks.every((c) => c.chunk !== got.buf), `${where}: assembled message points into a chunk`);
      assert.deepEqual([got.start, got.end, got.buf.length], [0, f.body.length, f.body.length], `${where}: assembled buffer`);
    }
  }
}

test('a small stream split at every pair of byte boundaries gives the same messages', () => {
  const frames = makeFrames(
    [
      [0, false],
      [1, true],
      [40, false],
      [0, true],
      [1, false],
      [3, true],
    ],
    1,
  );
  const stream = streamOf(frames);
  feedAndCheck(frames, stream, [], 'whole');
  for (let a = 0; a <= stream.length; a++) {
    for (let b = a; b <= stream.length; b++) feedAndCheck(frames, stream, [a, b], `cut at ${a} and ${b}`);
  }
});

test('a large stream split at seeded random boundaries gives the same messages', () => {
  const specs: Array<[number, boolean]> = [];
  const sizes = [0, 1, 40, 70_000];
  for (let i = 0; i < 24; i++) specs.push([sizes[i % 4] as number, i % 3 === 1]);
  const frames = makeFrames(specs, 2);
  const stream = streamOf(frames);
  for (let seed = 1; seed <= 60; seed++) {
    const random = seededRandom(seed);
    // Chunk sizes from tiny (header splits everywhere) to bigger than a message.
    const largest = [7, 300, 20_000, 200_000][seed % 4] as number;
    const cuts: number[] = [];
    for (let at = 1 + Math.floor(random() * largest); at < stream.length; at += 1 + Math.floor(random() * largest)) cuts.push(at);
    feedAndCheck(frames, stream, cuts, `seed ${seed}`);
  }
});

test('messages inside one chunk are passed in place', () => {
  const frames = makeFrames(
    [
      [40, false],
      [0, true],
      [70_000, false],
      [1, true],
    ],
    3,
  );
  const chunk = streamOf(frames);
  const deliveries: Delivery[] = [];
  assert.equal(new MessageDeframer(MAX).push(chunk, recordingSink(deliveries)), null);
  assert.deepEqual(
    deliveries.map((d) => [d.buf === chunk, d.start, d.end, d.compressed]),
    [
      [true, 5, 45, false],
      [true, 50, 50, true],
      [true, 55, 70_055, false],
      [true, 70_060, 70_061, true],
    ],
  );
});

function oversizeHeader(length: number, flag = 0): Buffer {
  const header = Buffer.alloc(5);
  header[0] = flag;
  header.writeUInt32BE(length, 1);
  return header;
}

test('a message above maxMessageSize fails the call with RESOURCE_EXHAUSTED, wherever its header is split', () => {
  const table: Array<[number, number]> = [
    [100, 101],
    [100, 4_294_967_295],
    [0, 1],
    [4 * 1024 * 1024, 4 * 1024 * 1024 + 1],
  ];
  for (const [max, length] of table) {
    const want: CallStatus = { code: Status.RESOURCE_EXHAUSTED, details: `Received message larger than max (${length} vs ${max})`, origin: 'protocol', rich: null, pushbackMs: null };
    const before = frame(Buffer.alloc(Math.min(max, 2), 0x61), 0);
    const stream = Buffer.concat([before, oversizeHeader(length), Buffer.alloc(8)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const deframer = new MessageDeframer(max);
      const deliveries: Delivery[] = [];
      const sink = recordingSink(deliveries);
      const first = deframer.push(stream.subarray(0, cut), sink);
      const status = first ?? deframer.push(stream.subarray(cut), sink);
      const label = `max ${max}, length ${length}, cut at ${cut}`;
      assert.deepEqual(status, want, label);
      // A header cut before its last byte is only judged when it is complete.
      if (cut < before.length + 5) assert.equal(first, null, `${label}: failed before the header was complete`);
      assert.equal(deliveries.length, 1, `${label}: the message before the oversize one`);
    }
  }
});

test('a message of exactly maxMessageSize is accepted', () => {
  const body = Buffer.alloc(100, 7);
  const deliveries: Delivery[] = [];
  assert.equal(new MessageDeframer(100).push(frame(body, 0), recordingSink(deliveries)), null);
  assert.equal(deliveries.length, 1);
  assert.ok(deliveries[0]?.bytes.equals(body));
});

test('a compressed flag other than 0 or 1 fails the call with INTERNAL, wherever its header is split', () => {
  for (const flag of [2, 0x80, 0xff]) {
    const stream = Buffer.concat([frame(Buffer.from('ok'), 1), frame(Buffer.from('bad'), flag)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const deframer = new MessageDeframer(MAX);
      const deliveries: Delivery[] = [];
      const sink = recordingSink(deliveries);
      const status = deframer.push(stream.subarray(0, cut), sink) ?? deframer.push(stream.subarray(cut), sink);
      const label = `flag ${flag}, cut at ${cut}`;
      assert.equal(status?.code, Status.INTERNAL, label);
      assert.match(status?.details ?? '', new RegExp(`compressed flag ${flag}\\b`), label);
      assert.deepEqual(
        deliveries.map((d) => d.bytes.toString()),
        ['ok'],
        label,
      );
    }
  }
});

test('a sink returning false stops delivery of the rest of that chunk', () => {
  const frames = makeFrames(
    [
      [3, false],
      [70_000, false],
      [4, true],
      [5, false],
    ],
    4,
  );
  const stream = streamOf(frames);
  const table: Array<[string, number[], number]> = [
    ['in-place message stops', [], 1],
    ['stop after an in-place message, rest in the chunk', [], 3],
    ['assembled message stops', [10, 70_000], 2],
    ['in-place message after an assembled one stops', [10, 70_000], 3],
  ];
  for (const [label, cuts, stopAfter] of table) {
    const deliveries: Delivery[] = [];
    const deframer = new MessageDeframer(MAX);
    const sink = recordingSink(deliveries, stopAfter);
    const bounds = [0, ...cuts, stream.length];
    for (let i = 0; i + 1 < bounds.length && deliveries.length < stopAfter; i++) {
      assert.equal(deframer.push(stream.subarray(bounds[i], bounds[i + 1]), sink), null, label);
    }
    assert.equal(deliveries.length, stopAfter, label);
    for (const [i, d] of deliveries.entries()) assert.ok(d.bytes.equals(frames[i]?.body as Buffer), `${label}: message ${i}`);
  }
});

test('partial is true exactly while a message is incomplete', () => {
  const deframer = new MessageDeframer(MAX);
  const deliveries: Delivery[] = [];
  const sink = recordingSink(deliveries);
  const whole = frame(Buffer.from('hello'), 0);
  const empty = frame(Buffer.alloc(0), 1);
  assert.equal(deframer.partial, false, 'new');
  const steps: Array<[string, Buffer, boolean, number]> = [
    ['one header byte', whole.subarray(0, 1), true, 0],
    ['rest of the header', whole.subarray(1, 5), true, 0],
    ['some body', whole.subarray(5, 7), true, 0],
    ['rest of the body', whole.subarray(7), false, 1],
    ['an empty chunk', Buffer.alloc(0), false, 1],
    ['a whole empty message', empty, false, 2],
    ['four bytes of an empty message header', empty.subarray(0, 4), true, 2],
    ['its last header byte', empty.subarray(4), false, 3],
    ['a whole message and a header byte', Buffer.concat([whole, whole.subarray(0, 1)]), true, 4],
    ['an empty chunk in between', Buffer.alloc(0), true, 4],
    ['the rest', whole.subarray(1), false, 5],
  ];
  for (const [label, chunk, partial, delivered] of steps) {
    assert.equal(deframer.push(chunk, sink), null, label);
    assert.equal(deframer.partial, partial, `${label}: partial`);
    assert.equal(deliveries.length, delivered, `${label}: delivered`);
  }
  assert.deepEqual(
    deliveries.map((d) => [d.bytes.toString(), d.compressed]),
    [
      ['hello', false],
      ['', true],
      ['', true],
      ['hello', false],
      ['hello', false],
    ],
  );
});
