import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PREPARE_LEAD_MS, waitUntilNearStart } from '../../src/load/wait-for-start.js';

test('no planned start, or one within the preparation lead: no wait', async () => {
  let done = false;
  const waiting = waitUntilNearStart(null).then(() => (done = true));
  await waiting;
  assert.ok(done);
  await waitUntilNearStart(Date.now() + PREPARE_LEAD_MS - 1_000);
});

test('a start far ahead waits until shortly before it; aborting ends the wait', async () => {
  const controller = new AbortController();
  let done = false;
  const waiting = waitUntilNearStart(Date.now() + PREPARE_LEAD_MS + 3_600_000, controller.signal).then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(done, false, 'still waiting an hour before the start');
  controller.abort();
  await waiting;
  assert.ok(done);
});
