import { PayloadFactory } from './payload.js';
import { buildPayloadPattern, measureGzipSavings } from './payload-pattern.js';

/** Sequence numbers of the sample: short and long digit runs, as a run's payloads have. */
const SAMPLE_SEQS = [0, 7, 4_321, 987_654, 12_345_678];

const cache = new Map<string, number>();

/** gzip savings (%) measured on sample payloads of this size and compressibility, as a run sends them. */
export function measurePayloadSavings(size: number, compressibility: number): number {
  const key = `${size}/${compressibility}`;
  let savings = cache.get(key);
  if (savings === undefined) {
    const payloads = new PayloadFactory(size, buildPayloadPattern(size, compressibility));
    savings = measureGzipSavings(SAMPLE_SEQS.map((seq) => Buffer.from(payloads.make(seq))));
    cache.set(key, savings);
  }
  return savings;
}
