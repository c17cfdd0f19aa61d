import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { OutputTooLargeError, SyncZlib, compressorFor, decompressorFor } from '../../src/engine/h2/sync-zlib.js';
import { seededRandom } from '../../src/stats/seeded-random.js';

const KIB = 1024;

/** `size` bytes; `random` ones barely compress (gzip output then exceeds the 64 KiB output chunk). */
function input(size: number, random: boolean, seed = size + 1): Buffer {
  const buf = Buffer.alloc(size);
  const rng = seededRandom(seed);
  for (let i = 0; i < size; i++) buf[i] = random ? Math.floor(rng() * 256) : 0x41 + (i % 7);
  return buf;
}

const SIZES = [0, 1, 17, 1 * KIB, 64 * KIB - 1, 64 * KIB, 64 * KIB + 1, 300 * KIB];

const CODECS = [
  { compress: 'gzip', decompress: 'gunzip', nodeCompress: gzipSync, nodeDecompress: gunzipSync },
  { compress: 'deflate', decompress: 'inflate', nodeCompress: deflateSync, nodeDecompress: inflateSync },
] as const;

test('the reusable native stream is in use on this Node version', () => {
  for (const kind of ['gzip', 'gunzip', 'deflate', 'inflate'] as const) assert.equal(new SyncZlib(kind).reused, true, kind);
});

test('compressed output decompresses with node:zlib to the input, 0 bytes to 300 KiB', () => {
  for (const codec of CODECS) {
    const zlib = new SyncZlib(codec.compress);
    for (const size of SIZES) {
      for (const random of [false, true]) {
        const label = `${codec.compress}, ${size} bytes, ${random ? 'random' : 'repetitive'}`;
        const data = input(size, random);
        const out = zlib.run(data);
        assert.ok(codec.nodeDecompress(out).equals(data), label);
        if (random && size === 300 * KIB) assert.ok(out.length > 64 * KIB, `${label}: output should span output chunks`);
      }
    }
  }
});

test('decompression decodes what node:zlib produced, output 0 bytes to 300 KiB', () => {
  for (const codec of CODECS) {
    const zlib = new SyncZlib(codec.decompress);
    for (const size of SIZES) {
      for (const random of [false, true]) {
        const label = `${codec.decompress}, ${size} bytes, ${random ? 'random' : 'repetitive'}`;
        const data = input(size, random);
        assert.ok(zlib.run(codec.nodeCompress(data)).equals(data), label);
      }
    }
  }
});

test('one object works 1000 times in a row, and earlier results stay intact', () => {
  for (const codec of CODECS) {
    const compress = new SyncZlib(codec.compress);
    const decompress = new SyncZlib(codec.decompress);
    const rng = seededRandom(99);
    const kept: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < 1000; i++) {
      const data = input(Math.floor(rng() * 3000), i % 2 === 0, i);
      const packed = compress.run(data);
      assert.ok(codec.nodeDecompress(packed).equals(data), `${codec.compress} #${i}`);
      assert.ok(decompress.run(packed).equals(data), `${codec.decompress} #${i}`);
      if (i % 100 === 0) kept.push([data, packed]);
    }
    for (const [i, [data, packed]] of kept.entries()) {
      assert.ok(codec.nodeDecompress(packed).equals(data), `${codec.compress}: result #${i * 100} was overwritten`);
    }
  }
});

test('corrupt input throws, and the next call on the same object works', () => {
  for (const codec of CODECS) {
    const zlib = new SyncZlib(codec.decompress);
    const good = codec.nodeCompress(input(100 * KIB, true));
    const corrupt: Array<[string, Buffer]> = [
      ['garbage', Buffer.from('this is not compressed data at all')],
      ['truncated', good.subarray(0, good.length - 10)],
      ['flipped bytes', Buffer.concat([good.subarray(0, 20), Buffer.alloc(50, 0xff), good.subarray(70)])],
    ];
    for (const [label, bytes] of corrupt) {
      assert.throws(() => zlib.run(bytes), (error: unknown) => error instanceof Error && !(error instanceof OutputTooLargeError), `${codec.decompress}: ${label}`);
      assert.ok(zlib.run(good).equals(input(100 * KIB, true)), `${codec.decompress}: after ${label}`);
      assert.ok(zlib.run(codec.nodeCompress(Buffer.from('small'))).equals(Buffer.from('small')), `${codec.decompress}: small after ${label}`);
    }
  }
});

test('output above the limit throws OutputTooLargeError, and the object still works', () => {
  const data = input(300 * KIB, false);
  for (const codec of CODECS) {
    const compressed = codec.nodeCompress(data);
    const zlib = new SyncZlib(codec.decompress);
    const table: Array<[number, boolean]> = [
      [0, true],
      [1000, true],
      [64 * KIB, true],
      [data.length - 1, true],
      [data.length, false],
      [data.length + 1, false],
    ];
    for (const [limit, tooLarge] of table) {
      const label = `${codec.decompress}, limit ${limit}`;
      if (tooLarge) {
        assert.throws(() => zlib.run(compressed, limit), (error: unknown) => error instanceof OutputTooLargeError && error.limit === limit, label);
      } else {
        assert.ok(zlib.run(compressed, limit).equals(data), label);
      }
      assert.ok(zlib.run(codec.nodeCompress(Buffer.from('next'))).equals(Buffer.from('next')), `${label}: next call`);
    }
    const small = codec.nodeCompress(Buffer.from('0123456789'));
    assert.throws(() => zlib.run(small, 9), OutputTooLargeError, `${codec.decompress}: 10 bytes, limit 9`);
    assert.ok(zlib.run(small, 10).equals(Buffer.from('0123456789')), `${codec.decompress}: 10 bytes, limit 10`);
  }
});

test('decompressorFor picks the codec for a grpc-encoding', () => {
  const text = Buffer.from('grpc-encoding');
  const table: Array<[string | undefined, 'null' | 'undefined' | ((b: Buffer) => Buffer)]> = [
    [undefined, 'null'],
    ['identity', 'null'],
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['snappy', 'undefined'],
    ['GZIP', 'undefined'],
  ];
  for (const [encoding, want] of table) {
    const got = decompressorFor(encoding);
    if (want === 'null') assert.equal(got, null, String(encoding));
    else if (want === 'undefined') assert.equal(got, undefined, String(encoding));
    else {
      assert.ok(got instanceof SyncZlib, String(encoding));
      assert.ok(got.run(want(text)).equals(text), `${encoding}: does not decode ${encoding} data`);
    }
  }
});

test('compressorFor gives a compressor for the encoding', () => {
  const text = input(5000, false);
  assert.ok(gunzipSync(compressorFor('gzip').run(text)).equals(text), 'gzip');
  assert.ok(inflateSync(compressorFor('deflate').run(text)).equals(text), 'deflate');
});
