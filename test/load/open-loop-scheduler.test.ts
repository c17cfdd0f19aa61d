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
  const now = Math.floor(performance.now()); // whole ms: the due times below add up exactly
  // Wide margins (the next message of `due` is 100 ms away), so a slow machine between
  // reading `now` here and the pump's own clock cannot make another one due.
  const due = new FakeStream('due', now - 500, 200, log);
  const dueLater = new FakeStream('dueLater', now - 1, 1_000, log);
  const future = new FakeStream('future', now + 60_000, 10, log);
  const scheduler = new OpenLoopScheduler([future, dueLater, due], false);
  scheduler.pump();
  scheduler.stop();
  assert.deepEqual(due.sent, [now - 500, now - 300, now - 100]);
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
  test(`${spin ? 'spin' : 'timer'} pacing pumps every stream again once its next message is due`, async () => {
    const log: string[] = [];
    const start = performance.now() + 5;
    const streams = [new FakeStream('a', start, 3, log), new FakeStream('b', start + 1.5, 3, log)];
    const delays: number[] = [];
    for (const s of streams) {
      const pump = s.pump.bind(s);
      s.pump = (now: number): number => {
        const before = s.sent.length;
        const next = pump(now);
        for (const due of s.sent.slice(before)) delays.push(now - due);
        return next;
      };
    }
    const scheduler = new OpenLoopScheduler(streams, spin);
    scheduler.pump();
    await new Promise((resolve) => setTimeout(resolve, 80));
    scheduler.stop();
    // Due every 1.5 ms on average for ~75 ms: a scheduler that stopped waking would fall far short.
    assert.ok(delays.length >= 30, `sent ${delays.length}`);
    // Generous hang guard, not a timing measurement: no message waits 50 ms past its due time.
    assert.ok(Math.max(...delays) < 50, `max delay ${Math.max(...delays)} ms`);
  });
}
