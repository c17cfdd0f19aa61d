import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UNLIMITED_STREAMS, queuedStreamsWarning, streamLimitWarning, streamsPerConnection } from '../../src/stats/stream-limit.js';

describe('streamLimitWarning', () => {
  test('none without refused streams', () => {
    assert.equal(streamLimitWarning({ streams: 10, connections: 2 }, 0), null);
  });
  test('says the server limit was hit, how many streams were refused and how many go on a connection', () => {
    assert.match(streamLimitWarning({ streams: 10, connections: 2 }, 3) ?? '', /^the server's stream limit was hit: 3 streams were refused .* up to 5 streams on a connection/);
    assert.match(streamLimitWarning({ streams: 1, connections: 1 }, 1) ?? '', /1 stream was refused/);
  });
});

describe('queuedStreamsWarning', () => {
  const config = { streams: 10_000, connections: 20, engine: 'grpc-js' as const, messagesPerStream: null };
  test('streams per connection, rounded up', () => {
    assert.equal(streamsPerConnection({ streams: 10, connections: 3 }), 4);
  });
  test('grpc-js over the limit: a warning naming the limit, the streams per connection and the connections needed', () => {
    const warning = queuedStreamsWarning(config, 100) ?? '';
    assert.match(warning, /^the server's stream limit was hit: it allows 100 concurrent streams per connection \(SETTINGS_MAX_CONCURRENT_STREAMS\) and the run puts up to 500 on one/);
    assert.match(warning, /never start without an error: add --connections \(at least 100\)/);
  });
  test('none within the limit, without a limit, or for the h2 engine (which refuses and counts)', () => {
    assert.equal(queuedStreamsWarning(config, 500), null);
    assert.equal(queuedStreamsWarning(config, null), null);
    assert.equal(queuedStreamsWarning(config, UNLIMITED_STREAMS), null);
    assert.equal(queuedStreamsWarning({ ...config, engine: 'h2' }, 100), null);
  });
});
