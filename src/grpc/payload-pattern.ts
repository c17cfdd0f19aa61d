import { gzipSync } from 'node:zlib';
import { seededRandom } from '../stats/seeded-random.js';

/**
 * Payload patterns with a chosen gzip compressibility, like fio's buffer_compress_percentage.
 *
 * A pattern is printable ASCII (0x20..0x7E, so valid UTF-8 for the proto3 `string` field): in
 * every 64-byte segment a run of uniformly random printable characters (a share r of the
 * segment on average) followed by the filler '.'. Overwriting the first few bytes with the
 * sequence number barely moves the ratio. r is found by bisection against the measured gzip
 * savings.
 *
 * The random draws (characters, and one dither value per segment) are the same whatever r is,
 * so patterns for different r share one random layout and savings fall smoothly and (in
 * practice) monotonically as r grows.
 */

const PRINTABLE_FIRST = 0x20;
const PRINTABLE_COUNT = 0x7e - 0x20 + 1;
const FILLER = 0x2e; // '.'
const DEFAULT_SEED = 0x5eed_b10c;
/** Smaller patterns are the first bytes of the pattern calibrated at this size. */
const MIN_CALIBRATION_SIZE = 1024;
/** Larger patterns are built block by block, each block with fresh random content. */
const BLOCK_SIZE = 65_536;
const MAX_SIZE = 2 ** 31;
const BISECTION_STEPS = 14;
/** Random characters and filler alternate in runs within segments of this many bytes. */
const SEGMENT = 64;

/**
 * Printable ASCII pattern of `size` bytes such that gzip shrinks it by about `compressibility` %
 * (0..100). Deterministic for (size, compressibility, seed).
 *
 * Not every target is reachable. Fully random printable ASCII still saves about 13 % at 1 KiB and
 * 17 % from 16 KiB on (measured; see {@link minimumSavings}), so lower targets get the fully
 * random pattern. At the top, gzip's 18-byte framing caps savings (97.2 % at 1 KiB, 99.7 % at
 * 16 KiB), so higher targets get the all-filler pattern. Below 1 KiB the pattern is the start of
 * the 1 KiB pattern and saves less than requested, because the framing weighs more: the caller
 * should record the measured ratio ({@link measureGzipSavings}). Neither case throws.
 *
 * @throws RangeError if size is not an integer in 0..2^31, compressibility is not a number in
 *   0..100 or seed is not an integer in 0..4294967295.
 */
export function buildPayloadPattern(size: number, compressibility: number, seed: number = DEFAULT_SEED): Buffer {
  checkSize(size);
  if (typeof compressibility !== 'number' || !(compressibility >= 0 && compressibility <= 100)) {
    throw new RangeError(`compressibility must be a number between 0 and 100 (percent), got ${describe(compressibility)}`);
  }
  checkSeed(seed);
  if (size === 0) return Buffer.alloc(0);

  const rng = seededRandom(seed);
  const first = drawLayout(Math.min(Math.max(size, MIN_CALIBRATION_SIZE), BLOCK_SIZE), rng);
  const ratio = calibrateRatio(first, compressibility);
  if (size < first.mix.length) return Buffer.from(fillPattern(first, ratio).subarray(0, size));
  if (size === first.mix.length) return fillPattern(first, ratio);

  const pattern = Buffer.allocUnsafe(size);
  fillPattern(first, ratio, pattern, 0);
  // Later blocks continue the random sequence with the calibrated ratio: fresh content, so
  // deflate's 32 KiB window finds no long repeat of an earlier block.
  for (let offset = BLOCK_SIZE; offset < size; offset += BLOCK_SIZE) {
    fillPattern(drawLayout(Math.min(BLOCK_SIZE, size - offset), rng), ratio, pattern, offset);
  }
  return pattern;
}

/**
 * gzip savings in percent (100 × (1 − gzipped/raw)), of the samples compressed one by one (sum of
 * gzipped sizes / sum of raw sizes); may be negative for tiny messages. Rounded to 0.1.
 * No bytes at all (no samples, or only empty ones) give 0.
 */
export function measureGzipSavings(samples: readonly Buffer[]): number {
  return roundToTenth(gzipSavings(samples));
}

/**
 * The smallest savings printable ASCII can have at this size (fully random pattern), for
 * messages/warnings. Measured on the pattern buildPayloadPattern would use at compressibility 0;
 * above 64 KiB on its first 64 KiB block, which is representative of every block. About 13 % at
 * 1 KiB, 17 % from 16 KiB on, and negative for messages of a few dozen bytes.
 *
 * @throws RangeError on a size or seed that buildPayloadPattern would reject.
 */
export function minimumSavings(size: number, seed: number = DEFAULT_SEED): number {
  checkSize(size);
  checkSeed(seed);
  if (size === 0) return 0;
  const layout = drawLayout(Math.min(Math.max(size, MIN_CALIBRATION_SIZE), BLOCK_SIZE), seededRandom(seed));
  return measureGzipSavings([fillPattern(layout, 1).subarray(0, Math.min(size, BLOCK_SIZE))]);
}

/** The random draws behind one block: the mix value and the random character of each position. */
interface Layout {
  readonly mix: Float64Array;
  readonly chars: Uint8Array;
}

function drawLayout(length: number, rng: () => number): Layout {
  const mix = new Float64Array(length);
  const chars = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    mix[i] = rng();
    chars[i] = PRINTABLE_FIRST + Math.floor(rng() * PRINTABLE_COUNT);
  }
  return { mix, chars };
}

/**
 * Writes the block for random ratio `ratio` into `target` at `offset` (a new buffer by default):
 * each 64-byte segment starts with about ratio × 64 random characters (dithered by the segment's
 * mix value, so the mean is exact) and is filled up with '.'. Runs, not a per-byte mix: deflate
 * then finds long matches or none quickly, as in real data, instead of the many short matches
 * a per-byte mix gives (those made level-6 gzip of 1 KiB twice as slow).
 */
function fillPattern(layout: Layout, ratio: number, target = Buffer.allocUnsafe(layout.mix.length), offset = 0): Buffer {
  const { mix, chars } = layout;
  const length = mix.length;
  for (let start = 0; start < length; start += SEGMENT) {
    const end = Math.min(start + SEGMENT, length);
    const random = start + Math.floor(ratio * SEGMENT + (mix[start] ?? 0));
    for (let i = start; i < end; i++) target[offset + i] = i < random ? (chars[i] ?? FILLER) : FILLER;
  }
  return target;
}

/**
 * The random ratio whose block comes closest to `target` % savings. Savings fall as the ratio
 * grows, so out-of-range targets get an end point (0: all filler, 1: all random).
 */
function calibrateRatio(layout: Layout, target: number): number {
  const savingsAt = (ratio: number): number => gzipSavings([fillPattern(layout, ratio)]);
  const most = savingsAt(0);
  if (target >= most) return 0;
  const least = savingsAt(1);
  if (target <= least) return 1;
  let low = 0; // savings above target
  let high = 1; // savings at or below target
  let lowSavings = most;
  let highSavings = least;
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const middle = (low + high) / 2;
    const savings = savingsAt(middle);
    if (savings > target) {
      low = middle;
      lowSavings = savings;
    } else {
      high = middle;
      highSavings = savings;
    }
  }
  return lowSavings - target <= target - highSavings ? low : high;
}

function gzipSavings(samples: readonly Buffer[]): number {
  let raw = 0;
  let gzipped = 0;
  for (const sample of samples) raw += sample.length;
  if (raw === 0) return 0;
  for (const sample of samples) gzipped += gzipSync(sample).length;
  return 100 * (1 - gzipped / raw);
}

function roundToTenth(value: number): number {
  const rounded = Math.round(value * 10) / 10;
  return rounded === 0 ? 0 : rounded; // no -0
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > MAX_SIZE) {
    throw new RangeError(`size must be an integer between 0 and ${MAX_SIZE} (bytes), got ${describe(size)}`);
  }
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an integer between 0 and 4294967295, got ${describe(seed)}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
