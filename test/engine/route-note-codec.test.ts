import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { MESSAGE_TAG, parseRouteNote, routeNoteLength, varintLength, writeVarint } from '../../src/engine/h2/route-note-codec.js';
import type { Span } from '../../src/engine/h2/route-note-codec.js';

/** The project's real protobuf runtime (the one @grpc/proto-loader uses), on the project's proto. */
const RouteNote = protobuf.loadSync('proto/stream.proto').lookupType('stream.RouteNote');

function encodeWithProtobufjs(message: string): Buffer {
  return Buffer.from(RouteNote.encode(RouteNote.create({ message })).finish());
}

/** Parses `bytes` placed at an offset inside a larger buffer, so a span relative to 0 would be caught. */
function parse(bytes: Buffer): { ok: boolean; text: string; span: Span } {
  const pad = 3;
  const buf = Buffer.concat([Buffer.from([0xee, 0xee, 0xee]), bytes, Buffer.from([0x0a, 0x05])]);
  const span: Span = { start: -1, end: -1 };
  const ok = parseRouteNote(buf, pad, pad + bytes.length, span);
  return { ok, text: buf.toString('utf8', span.start, span.end), span: { start: span.start - pad, end: span.end - pad } };
}

/** A protobuf key: field number and wire type. */
function key(field: number, wireType: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarint(buf, 0, field * 8 + wireType));
}

function varint(n: number): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarint(buf, 0, n));
}

function lengthDelimited(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([key(field, 2), varint(bytes.length), bytes]);
}

const BOUNDARIES: Array<[number, number]> = [
  [0, 1],
  [1, 1],
  [127, 1],
  [128, 2],
  [16_383, 2],
  [16_384, 3],
  [2 ** 21 - 1, 3],
  [2 ** 21, 4],
  [4 * 1024 * 1024, 4],
  [2 ** 28 - 1, 4],
  [2 ** 28, 5],
  [2 ** 32 - 1, 5],
];

test('varintLength and writeVarint agree with protobufjs at the length boundaries', () => {
  for (const [n, bytes] of BOUNDARIES) {
    assert.equal(varintLength(n), bytes, `varintLength(${n})`);
    const buf = Buffer.alloc(bytes + 4, 0xcc);
    const after = writeVarint(buf, 2, n);
    assert.equal(after, 2 + bytes, `writeVarint(${n}) end offset`);
    assert.deepEqual([buf[0], buf[1], buf[after], buf[after + 1]], [0xcc, 0xcc, 0xcc, 0xcc], `writeVarint(${n}) wrote outside its bytes`);
    const written = buf.subarray(2, after);
    assert.deepEqual(written, Buffer.from(protobuf.Writer.create().uint32(n).finish()), `writeVarint(${n}) bytes`);
    assert.equal(protobuf.Reader.create(written).uint32(), n, `round trip of ${n}`);
  }
});

test('routeNoteLength is tag + length varint + message bytes', () => {
  for (const [n, bytes] of BOUNDARIES.filter(([value]) => value <= 4 * 1024 * 1024)) {
    assert.equal(routeNoteLength(n), 1 + bytes + n, `routeNoteLength(${n})`);
  }
  assert.equal(MESSAGE_TAG, 0x0a);
});

const MESSAGES: Array<[string, string]> = [
  ['empty', ''],
  ['one ASCII byte', 'x'],
  ['ASCII', 'Server received: 12345...........'],
  ['two-byte UTF-8', 'café crème'],
  ['three- and four-byte UTF-8', '€ 漢字 😀 🚀'],
  ['127 bytes (1-byte length)', 'a'.repeat(127)],
  ['128 bytes (2-byte length)', 'b'.repeat(128)],
  ['300 bytes', 'c'.repeat(300)],
  ['300 bytes of multi-byte UTF-8', 'é'.repeat(150)],
  ['70000 bytes (3-byte length)', 'd'.repeat(70_000)],
];

test('parseRouteNote finds the exact message bytes of notes encoded by protobufjs', () => {
  for (const [label, message] of MESSAGES) {
    const encoded = encodeWithProtobufjs(message);
    const { ok, text, span } = parse(encoded);
    assert.equal(ok, true, label);
    const utf8 = Buffer.from(message);
    assert.deepEqual(span, { start: encoded.length - utf8.length, end: encoded.length }, `${label}: span`);
    assert.equal(text, message, label);
    assert.equal(encoded.length, routeNoteLength(utf8.length), `${label}: routeNoteLength`);
  }
});

test('an empty buffer is a RouteNote with an empty message', () => {
  const buf = Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]);
  const span: Span = { start: -1, end: -1 };
  assert.equal(parseRouteNote(buf, 2, 2, span), true);
  assert.deepEqual(span, { start: 2, end: 2 });
});

const UNKNOWN_FIELDS: Array<[string, Buffer]> = [
  ['varint field 2', Buffer.concat([key(2, 0), varint(300)])],
  ['10-byte varint field 3 (negative int64)', Buffer.concat([key(3, 0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])])],
  ['fixed32 field 4', Buffer.concat([key(4, 5), Buffer.from([0x0a, 0x0a, 0x0a, 0x0a])])],
  ['fixed64 field 5', Buffer.concat([key(5, 1), Buffer.from([0x0a, 0x01, 0x0a, 0x01, 0x0a, 0x01, 0x0a, 0x01])])],
  ['length-delimited field 2', lengthDelimited(2, Buffer.from('\n\u0003not the message'))],
  ['length-delimited field 16 (2-byte key)', lengthDelimited(16, Buffer.from('other'))],
  ['empty length-delimited field 7', lengthDelimited(7, Buffer.alloc(0))],
  ['varint field 536870911 (5-byte key)', Buffer.concat([key(536_870_911, 0), varint(1)])],
];

test('unknown fields before and after the message are skipped', () => {
  for (const [label, unknown] of UNKNOWN_FIELDS) {
    for (const message of ['', 'héllo', 'x'.repeat(300)]) {
      const note = encodeWithProtobufjs(message);
      const layouts: Array<[string, Buffer]> = [
        ['before', Buffer.concat([unknown, note])],
        ['after', Buffer.concat([note, unknown])],
        ['both sides', Buffer.concat([unknown, note, unknown])],
      ];
      for (const [where, bytes] of layouts) {
        const { ok, text } = parse(bytes);
        assert.equal(ok, true, `${label} ${where}, message ${message.length}`);
        assert.equal(text, message, `${label} ${where}, message ${message.length}`);
        assert.equal(RouteNote.decode(bytes).toJSON().message ?? '', message, `protobufjs disagrees on ${label} ${where}`);
      }
    }
  }
});

test('only unknown fields: valid, with an empty message', () => {
  const { ok, text } = parse(Buffer.concat(UNKNOWN_FIELDS.map(([, bytes]) => bytes)));
  assert.equal(ok, true);
  assert.equal(text, '');
});

test('the last occurrence of field 1 wins, as protobufjs decodes it', () => {
  const table: Array<[string, Buffer, string]> = [
    ['two notes', Buffer.concat([encodeWithProtobufjs('first'), encodeWithProtobufjs('second')]), 'second'],
    ['a non-empty then an empty one', Buffer.concat([encodeWithProtobufjs('first'), encodeWithProtobufjs('')]), ''],
    [
      'three with unknown fields between',
      Buffer.concat([encodeWithProtobufjs('a'), key(2, 0), varint(1), encodeWithProtobufjs('bé'), lengthDelimited(3, Buffer.from('c')), encodeWithProtobufjs('dd')]),
      'dd',
    ],
  ];
  for (const [label, bytes, want] of table) {
    const { ok, text } = parse(bytes);
    assert.equal(ok, true, label);
    assert.equal(text, want, label);
    assert.equal(RouteNote.decode(bytes).toJSON().message ?? '', want, `protobufjs disagrees on ${label}`);
  }
});

const MALFORMED: Array<[string, Buffer]> = [
  ['a tag cut after 0x0a', Buffer.from([0x0a])],
  ['a note, then a tag cut after 0x0a', Buffer.concat([encodeWithProtobufjs('ok'), Buffer.from([0x0a])])],
  ['a truncated key varint', Buffer.from([0x80])],
  ['a truncated length varint', Buffer.from([0x0a, 0x80])],
  ['a truncated varint field', Buffer.concat([key(2, 0), Buffer.from([0xff, 0xff])])],
  ['a varint of 11 bytes', Buffer.concat([key(2, 0), Buffer.alloc(10, 0xff), Buffer.from([0x01])])],
  ['length one beyond the end', Buffer.from([0x0a, 0x04, 0x61, 0x62, 0x63])],
  ['length far beyond the end', Buffer.concat([Buffer.from([0x0a]), varint(2 ** 31), Buffer.from('abc')])],
  ['unknown length-delimited field beyond the end', Buffer.concat([key(2, 2), varint(5), Buffer.from('abcd')])],
  ['truncated fixed32', Buffer.concat([key(4, 5), Buffer.from([1, 2, 3])])],
  ['truncated fixed64', Buffer.concat([key(5, 1), Buffer.from([1, 2, 3, 4, 5, 6, 7])])],
  ['wire type 3 (start group)', Buffer.concat([key(2, 3), key(2, 4)])],
  ['wire type 4 (end group)', key(2, 4)],
  ['wire type 6', Buffer.concat([key(2, 6), Buffer.from([0, 0, 0, 0])])],
  ['wire type 7', Buffer.concat([key(2, 7), Buffer.from([0, 0, 0, 0])])],
  ['wire type 3 on field 1', Buffer.from([0x0b, 0x0c])],
  ['field number 0, varint', Buffer.from([0x00, 0x01])],
  ['field number 0, length-delimited', Buffer.from([0x02, 0x01, 0x61])],
  ['a valid note, then field number 0', Buffer.concat([encodeWithProtobufjs('ok'), Buffer.from([0x00, 0x00])])],
];

test('malformed notes are rejected', () => {
  for (const [label, bytes] of MALFORMED) {
    assert.equal(parse(bytes).ok, false, label);
  }
});
