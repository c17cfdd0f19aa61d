import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenLoopScheduler, type PacedStream } from '../../src/load/open-loop-scheduler.js';

/** A stream whose messages are due every `interval` ms from `first`; can be blocked. */
class FakeStream implements PacedStream {
  sent: number[] = [];
  pumps = 0;
  blocked = false;
  constructor(
    readonly name: string,
    private due: number,
    private readonly interval: number,
    readonly log: string[],
  ) {}
  pump(now: number): number {
    this.pumps++;
    if (this.blocked) return Number.POSITIVE_INFINITY;
    while (this.due <= now) {
      this.sent.push(this.due);
      this.log.push(this.name);
      this.due += this.interval;
    }
    return this.due;
  }
  nextDue(): number {
    return this.due;
  }
}

test('a pump sends only what is due, earliest first, and leaves the other streams alone', () => {
  const log: string[] = [];
  const now = performance.now();
  const due = new FakeStream('due', now - 5, 2, log);
  const dueLater = new FakeStream('dueLater', now - 1, 1_000, log);
  const future = new FakeStream('future', now + 60_000, 10, log);
  const scheduler = new OpenLoopScheduler([future, dueLater, due], false);
  scheduler.pump();
  scheduler.stop();
  assert.deepEqual(due.sent, [now - 5, now - 3, now - 1]);
  assert.deepEqual(dueLater.sent, [now - 1]);
  assert.equal(future.pumps, 0, 'a stream with nothing due is not touched');
  assert.deepEqual(log, ['due', 'due', 'due', 'dueLater']);
});

test('a blocked stream leaves the heap until wake() gives it room again', async () => {
  const log: string[] = [];
  const now = performance.now();
  const stream = new FakeStream('s', now - 1, 1_000_000, log);
  stream.blocked = true;
  const scheduler = new OpenLoopScheduler([stream], false);
  scheduler.pump();
  assert.equal(stream.pumps, 1);
  scheduler.pump();
  assert.equal(stream.pumps, 1, 'not pumped again while blocked');
  stream.blocked = false;
  scheduler.wake(stream);
  await new Promise((resolve) => setImmediate(resolve));
  scheduler.stop();
  assert.equal(stream.pumps, 2);
  assert.deepEqual(stream.sent, [now - 1]);
});

for (const spin of [false, true]) {
  test(`${spin ? 'spin' : 'timer'} pacing sends each message at or after its due time, never before`, async () => {
    const log: string[] = [];
    const start = performance.now() + 5;
    const streams = [new FakeStream('a', start, 3, log), new FakeStream('b', start + 1.5, 3, log)];
    const sendTimes: Array<{ due: number; at: number }> = [];
    for (const s of streams) {
      const pump = s.pump.bind(s);
      s.pump = (now: number): number => {
        const before = s.sent.length;
        const next = pump(now);
        for (const due of s.sent.slice(before)) sendTimes.push({ due, at: now });
        return next;
      };
    }
    const scheduler = new OpenLoopScheduler(streams, spin);
    scheduler.pump();
    await new Promise((resolve) => setTimeout(resolve, 60));
    scheduler.stop();
    assert.ok(sendTimes.length >= 20, `sent ${sendTimes.length}`);
    for (const { due, at } of sendTimes) assert.ok(at >= due, `sent at ${at} before due ${due}`);
  });
}
