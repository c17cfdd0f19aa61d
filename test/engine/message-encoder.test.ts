import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync, inflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { MessageDeframer } from '../../src/engine/h2/message-deframer.js';
import { MessageEncoder } from '../../src/engine/h2/message-encoder.js';
import { parseRouteNote } from '../../src/engine/h2/route-note-codec.js';
import type { Span } from '../../src/engine/h2/route-note-codec.js';
import { SyncZlib } from '../../src/engine/h2/sync-zlib.js';
import type { Payloads } from '../../src/engine/transport.js';
import { FixedPayloads, PayloadFactory } from '../../src/grpc/payload.js';
import { buildPayloadPattern } from '../../src/grpc/payload-pattern.js';

const RouteNote = protobuf.loadSync('proto/stream.proto').lookupType('stream.RouteNote');

/** What protobufjs (the grpc-js engine's runtime) puts on the wire for this message. */
function routeNoteBytes(message: string): Buffer {
  return Buffer.from(RouteNote.encode(RouteNote.create({ message })).finish());
}

interface Framed {
  compressed: boolean;
  body: Buffer;
}

/** Splits `buf` into its length-prefixed messages with the deframer, as the h2 engine reads them. */
function deframe(buf: Buffer): Framed[] {
  const frames: Framed[] = [];
  const status = new MessageDeframer(2 ** 31).push(buf, {
    onMessage(chunk, start, end, compressed) {
      frames.push({ compressed, body: Buffer.from(chunk.subarray(start, end)) });
      return true;
    },
  });
  assert.equal(status, null);
  return frames;
}

function messageOf(routeNote: Buffer, label: string): string {
  const span: Span = { start: -1, end: -1 };
  assert.equal(parseRouteNote(routeNote, 0, routeNote.length, span), true, `${label}: not a RouteNote`);
  return routeNote.toString('utf8', span.start, span.end);
}

const SIZES = [0, 1, 5, 16, 1024, 70_000];
const SEQS = [0, 9, 10, 99, 100, 123_456_789];

function payloadSources(): Array<[string, Payloads, number[]]> {
  const sources: Array<[string, Payloads, number[]]> = [];
  for (const size of SIZES) {
    sources.push([`PayloadFactory(${size})`, new PayloadFactory(size), SEQS]);
    if (size > 0) sources.push([`PayloadFactory(${size}, 50 % pattern)`, new PayloadFactory(size, buildPayloadPattern(size, 50)), SEQS]);
  }
  const fixed = ['hello', '', 'café', '漢字 😀', 'x'.repeat(300), 'é'.repeat(40_000)];
  sources.push(['FixedPayloads', new FixedPayloads(fixed), fixed.map((_, i) => i)]);
  return sources;
}

/** Encodes runs starting at each seq: one message, and several crossing digit-count boundaries. */
const RUNS: Array<[number, number]> = [
  [0, 1],
  [9, 1],
  [10, 1],
  [123_456_789, 1],
  [0, 12],
  [95, 10],
  [123_456_785, 8],
];

function runsFor(seqs: number[]): Array<[number, number]> {
  return seqs === SEQS ? RUNS : [[0, seqs.length], ...seqs.map((seq): [number, number] => [seq, 1])];
}

test('identity frames read back (deframer + parseRouteNote) as exactly payloads.make(seq)', () => {
  for (const [label, payloads, seqs] of payloadSources()) {
    const encoder = new MessageEncoder(payloads, null);
    for (const [first, count] of runsFor(seqs)) {
      const frames = deframe(encoder.encode(first, count));
      assert.equal(frames.length, count, `${label}: encode(${first}, ${count}) count`);
      for (const [i, f] of frames.entries()) {
        const seq = first + i;
        const where = `${label}, seq ${seq}`;
        assert.equal(f.compressed, false, `${where}: flag`);
        assert.equal(messageOf(f.body, where), payloads.make(seq), where);
        assert.ok(f.body.equals(routeNoteBytes(payloads.make(seq))), `${where}: bytes differ from protobufjs`);
      }
    }
  }
});

test('compressed frames have flag 1 and decompress with node:zlib to the same RouteNote bytes', () => {
  const codecs = [
    ['gzip', gunzipSync],
    ['deflate', inflateSync],
  ] as const;
  for (const [encoding, decompress] of codecs) {
    for (const [label, payloads, seqs] of payloadSources()) {
      const encoder = new MessageEncoder(payloads, new SyncZlib(encoding));
      for (const [first, count] of runsFor(seqs)) {
        const frames = deframe(encoder.encode(first, count));
        assert.equal(frames.length, count, `${encoding}, ${label}: encode(${first}, ${count}) count`);
        for (const [i, f] of frames.entries()) {
          const seq = first + i;
          const where = `${encoding}, ${label}, seq ${seq}`;
          assert.equal(f.compressed, true, `${where}: flag`);
          const plain = decompress(f.body);
          assert.ok(plain.equals(routeNoteBytes(payloads.make(seq))), `${where}: bytes differ from protobufjs`);
          assert.equal(messageOf(plain, where), payloads.make(seq), where);
        }
      }
    }
  }
});

test('a batch is the concatenation of the messages encoded one by one', () => {
  const payloads = new PayloadFactory(1024, buildPayloadPattern(1024, 75));
  for (const compressor of [null, new SyncZlib('gzip')]) {
    const encoder = new MessageEncoder(payloads, compressor);
    const batch = encoder.encode(98, 5);
    const single = Buffer.concat([98, 99, 100, 101, 102].map((seq) => encoder.encode(seq, 1)));
    assert.ok(batch.equals(single), compressor === null ? 'identity' : 'gzip');
  }
});

test('encode with count 0 gives an empty buffer', () => {
  assert.equal(new MessageEncoder(new PayloadFactory(16), null).encode(5, 0).length, 0);
  assert.equal(new MessageEncoder(new PayloadFactory(16), new SyncZlib('gzip')).encode(5, 0).length, 0);
});
