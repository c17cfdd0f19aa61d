import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEchoCounters } from '../../src/grpc/echo-server.js';
import { findSamples, parseExposition, sampleValue } from '../helpers/parse-exposition.js';
import { createServerMetrics } from '../../src/observe/prometheus/server-metrics.js';
import { createFaultInjector } from '../../src/resilience/fault-injector.js';
import { resolveFaultOptions } from '../../src/resilience/fault-options.js';
import { countAuthDecision, createAuthCounts } from '../../src/security/auth-tally.js';
import { checkWithPromtool } from '../helpers/prometheus.js';

const P = 'grpc_stream_bench_server_';

test('the plain server: streams, echoes, connections and CPU, read at every scrape', async (t) => {
  const counters = createEchoCounters();
  const registry = createServerMetrics({ counters });
  let e = parseExposition(await registry.metrics());
  assert.equal(sampleValue(e, `${P}echoes_total`), 0);
  counters.streams += 3;
  counters.echoes += 1000;
  counters.connections += 1;
  const text = await registry.metrics();
  e = parseExposition(text);
  assert.equal(sampleValue(e, `${P}streams_accepted_total`), 3);
  assert.equal(sampleValue(e, `${P}echoes_total`), 1000);
  assert.equal(sampleValue(e, `${P}connections_total`), 1);
  assert.ok(sampleValue(e, `${P}cpu_seconds_total`, { mode: 'user' }) > 0);
  assert.deepEqual(findSamples(e, `${P}rejections_total`), []);
  assert.equal(e.types.has(`${P}faults_total`), false, 'no fault metrics without fault injection');
  assert.equal(e.types.has(`${P}auth_accepted_total`), false, 'no auth metrics without auth');
  checkWithPromtool(t, text);
});

test('rejections by source, status and reason, from the auth tally and the fault stats; injected faults', async (t) => {
  const counts = createAuthCounts();
  countAuthDecision(counts, { accepted: true, subject: 'a' });
  countAuthDecision(counts, { accepted: false, code: 'UNAUTHENTICATED', reason: 'token expired' });
  countAuthDecision(counts, { accepted: false, code: 'UNAUTHENTICATED', reason: 'token expired' });
  countAuthDecision(counts, { accepted: false, code: 'PERMISSION_DENIED', reason: 'role bench required' });
  const statusByReason = new Map([
    ['token expired', 'UNAUTHENTICATED'],
    ['role bench required', 'PERMISSION_DENIED'],
  ]);
  const faults = createFaultInjector(resolveFaultOptions({ 'fail-rate': '1', 'fail-reason': 'OVERLOADED', 'drop-rate': '1' }));
  try {
    faults.admitStream();
    faults.admitStream();
    faults.dropNote();
    faults.connectionOpened();
    const registry = createServerMetrics({ counters: createEchoCounters(), auth: { counts, statusByReason }, faults });
    const text = await registry.metrics();
    const e = parseExposition(text);
    assert.equal(sampleValue(e, `${P}rejections_total`, { source: 'auth', status: 'UNAUTHENTICATED', reason: 'token expired' }), 2);
    assert.equal(sampleValue(e, `${P}rejections_total`, { source: 'auth', status: 'PERMISSION_DENIED', reason: 'role bench required' }), 1);
    assert.equal(sampleValue(e, `${P}rejections_total`, { source: 'fault', status: 'UNAVAILABLE', reason: 'OVERLOADED' }), 2);
    assert.equal(sampleValue(e, `${P}auth_accepted_total`), 1);
    const byFault = Object.fromEntries(findSamples(e, `${P}faults_total`).map((s) => [s.labels.fault, s.value]));
    assert.deepEqual(byFault, { reject: 2, abort: 0, drop: 1, stall: 0, connection_age: 0 });
    assert.equal(sampleValue(e, `${P}stalled_seconds_total`), 0);
    checkWithPromtool(t, text);
  } finally {
    faults.stop();
  }
});
