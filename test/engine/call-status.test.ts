/**
 * The expected codes and details are the ones grpc-js 1.14 reports, in
 * node_modules/@grpc/grpc-js/build/src/subchannel-call.js: mapHttpStatusCode (HTTP status →
 * code, "Received HTTP status code N"), the http2Stream 'close' handler (RST_STREAM code →
 * status: "Stream refused by server", "Call cancelled", "Bandwidth exhausted or memory limit
 * exceeded", "Protocol not secure enough", "Received RST_STREAM with code N (…)"),
 * onDisconnect ("Connection dropped") and outputStatus ("No status information received").
 */
import assert from 'node:assert/strict';
import { encodeRichStatus } from '../../src/resilience/rich-status.js';
import { constants } from 'node:http2';
import { test } from 'node:test';
import { decodeGrpcMessage, isGrpcContentType, statusFromHttp, statusFromReset, statusFromTrailers } from '../../src/engine/h2/call-status.js';
import { Status } from '../../src/engine/status-codes.js';
import type { CallStatus } from '../../src/engine/transport.js';

/** The code and details of a status (origin and rich details are checked on their own). */
const codeAndDetails = (status: { code: number; details: string }): { code: number; details: string } => ({ code: status.code, details: status.details });

test('statusFromHttp maps HTTP statuses as grpc-js mapHttpStatusCode does', () => {
  const table: Array<[number, number]> = [
    [400, Status.INTERNAL],
    [401, Status.UNAUTHENTICATED],
    [403, Status.PERMISSION_DENIED],
    [404, Status.UNIMPLEMENTED],
    [429, Status.UNAVAILABLE],
    [500, Status.UNKNOWN],
    [502, Status.UNAVAILABLE],
    [503, Status.UNAVAILABLE],
    [504, Status.UNAVAILABLE],
    [200, Status.UNKNOWN],
    [302, Status.UNKNOWN],
  ];
  for (const [http, code] of table) {
    assert.deepEqual(codeAndDetails(statusFromHttp(http)), { code, details: `Received HTTP status code ${http}` }, `HTTP ${http}`);
  }
});

test('decodeGrpcMessage percent-decodes, keeping invalid escapes as they are', () => {
  const table: Array<[string, string]> = [
    ['caf%C3%A9 closed%20now', 'café closed now'],
    ['plain text, no escapes', 'plain text, no escapes'],
    ['', ''],
    ['%E2%82%AC%F0%9F%98%80', '€😀'],
    ['%25 is a percent', '% is a percent'],
    ['100%', '100%'],
    ['%zz', '%zz'],
    ['%C3', '%C3'],
    ['%', '%'],
    ['%2', '%2'],
    ['100% sure, caf%C3%A9', '100% sure, café'],
    ['caf%C3%A9 %zz closed%20now', 'café %zz closed now'],
    ['a lone %C3 between caf%C3%A9 and%20now', 'a lone %C3 between café and now'],
    ['%ZZ%20%C3%A9', '%ZZ é'],
  ];
  for (const [raw, want] of table) assert.equal(decodeGrpcMessage(raw), want, JSON.stringify(raw));
});

test('decodeGrpcMessage decodes valid escapes right next to an invalid one', () => {
  // PROTOCOL-HTTP2.md only asks that a bad escape does not lose the message; grpc-go decodes
  // each %XX to a byte (so '%C3%20' → "\xC3 "), grpc-java to U+FFFD. In a JS string the
  // closest is to keep the bad escape as text and still decode its valid neighbours.
  const table: Array<[string, string]> = [
    ['caf%C3%A9%C3', 'café%C3'],
    ['%C3%20now', '%C3 now'],
    ['%E2%82 %E2%82%AC', '%E2%82 €'],
  ];
  assert.deepEqual(
    table.map(([raw]) => decodeGrpcMessage(raw)),
    table.map(([, want]) => want),
  );
});

test('statusFromTrailers reads grpc-status and grpc-message, else falls back on the HTTP status', () => {
  const table: Array<[string, Record<string, string | string[]>, number, CallStatus]> = [
    ['OK', { 'grpc-status': '0' }, 200, { code: Status.OK, details: '' }],
    ['status and message', { 'grpc-status': '14', 'grpc-message': 'caf%C3%A9 closed%20now' }, 200, { code: 14, details: 'café closed now' }],
    ['status without message', { 'grpc-status': '8' }, 200, { code: 8, details: '' }],
    ['status as an array', { 'grpc-status': ['3', '4'], 'grpc-message': ['bad%20arg', 'other'] }, 200, { code: 3, details: 'bad arg' }],
    ['grpc-status wins over a non-200 HTTP status', { 'grpc-status': '5', 'grpc-message': 'nope' }, 503, { code: 5, details: 'nope' }],
    ['no grpc-status, HTTP 200', {}, 200, { code: Status.UNKNOWN, details: 'Received HTTP status code 200' }],
    ['no grpc-status, HTTP 404', { 'grpc-message': 'ignored' }, 404, { code: Status.UNIMPLEMENTED, details: 'Received HTTP status code 404' }],
    ['no grpc-status, no HTTP status', {}, 0, { code: Status.UNKNOWN, details: 'No status information received' }],
    ['non-numeric grpc-status', { 'grpc-status': 'abc', 'grpc-message': 'x' }, 200, { code: Status.UNKNOWN, details: 'Received HTTP status code 200' }],
    ['empty grpc-status', { 'grpc-status': '' }, 503, { code: Status.UNAVAILABLE, details: 'Received HTTP status code 503' }],
    ['negative grpc-status', { 'grpc-status': '-1' }, 200, { code: Status.UNKNOWN, details: 'Received HTTP status code 200' }],
    ['grpc-status with trailing text', { 'grpc-status': '1x' }, 0, { code: Status.UNKNOWN, details: 'No status information received' }],
  ];
  for (const [label, headers, http, want] of table) assert.deepEqual(codeAndDetails(statusFromTrailers(headers, http)), want, label);
});

test('statusFromReset maps RST_STREAM codes as grpc-js does', () => {
  const table: Array<[string, number, number, CallStatus]> = [
    ['NO_ERROR after HTTP 200', constants.NGHTTP2_NO_ERROR, 200, { code: Status.INTERNAL, details: 'Received RST_STREAM with code 0 (Call ended without gRPC status)' }],
    ['NO_ERROR before headers', constants.NGHTTP2_NO_ERROR, 0, { code: Status.INTERNAL, details: 'Received RST_STREAM with code 0 (Call ended without gRPC status)' }],
    ['NO_ERROR after HTTP 503', constants.NGHTTP2_NO_ERROR, 503, { code: Status.UNAVAILABLE, details: 'Received HTTP status code 503' }],
    ['NO_ERROR after HTTP 401', constants.NGHTTP2_NO_ERROR, 401, { code: Status.UNAUTHENTICATED, details: 'Received HTTP status code 401' }],
    ['REFUSED_STREAM', constants.NGHTTP2_REFUSED_STREAM, 200, { code: Status.UNAVAILABLE, details: 'Stream refused by server' }],
    ['CANCEL', constants.NGHTTP2_CANCEL, 200, { code: Status.CANCELLED, details: 'Call cancelled' }],
    ['ENHANCE_YOUR_CALM', constants.NGHTTP2_ENHANCE_YOUR_CALM, 200, { code: Status.RESOURCE_EXHAUSTED, details: 'Bandwidth exhausted or memory limit exceeded' }],
    ['INADEQUATE_SECURITY', constants.NGHTTP2_INADEQUATE_SECURITY, 200, { code: Status.PERMISSION_DENIED, details: 'Protocol not secure enough' }],
    ['INTERNAL_ERROR', constants.NGHTTP2_INTERNAL_ERROR, 200, { code: Status.INTERNAL, details: 'Received RST_STREAM with code 2 (Internal server error)' }],
    ['PROTOCOL_ERROR', constants.NGHTTP2_PROTOCOL_ERROR, 200, { code: Status.INTERNAL, details: 'Received RST_STREAM with code 1' }],
    ['FLOW_CONTROL_ERROR', constants.NGHTTP2_FLOW_CONTROL_ERROR, 0, { code: Status.INTERNAL, details: 'Received RST_STREAM with code 3' }],
    ['STREAM_CLOSED', constants.NGHTTP2_STREAM_CLOSED, 503, { code: Status.INTERNAL, details: 'Received RST_STREAM with code 5' }],
  ];
  for (const [label, rst, http, want] of table) assert.deepEqual(codeAndDetails(statusFromReset(rst, http, false, null)), want, label);
});

test('REFUSED_STREAM is a refusal even when the connection is gone by then; before any response the server never processed the call', () => {
  for (const dropped of [false, true]) {
    const before = statusFromReset(constants.NGHTTP2_REFUSED_STREAM, 0, dropped, null);
    assert.deepEqual(codeAndDetails(before), { code: Status.UNAVAILABLE, details: 'Stream refused by server' }, `dropped ${dropped}`);
    assert.equal(before.refused, true);
    assert.equal(before.unprocessed, true, 'no response yet: may be retried transparently');
    const after = statusFromReset(constants.NGHTTP2_REFUSED_STREAM, 200, dropped, null);
    assert.equal(after.refused, true);
    assert.equal(after.unprocessed, undefined, 'after a response it may have been processed');
  }
});

test('a dropped connection is UNAVAILABLE whatever the other RST_STREAM codes', () => {
  const codes = [
    constants.NGHTTP2_NO_ERROR,
    constants.NGHTTP2_PROTOCOL_ERROR,
    constants.NGHTTP2_INTERNAL_ERROR,
    constants.NGHTTP2_CANCEL,
    constants.NGHTTP2_ENHANCE_YOUR_CALM,
    constants.NGHTTP2_INADEQUATE_SECURITY,
  ];
  for (const rst of codes) {
    assert.deepEqual(codeAndDetails(statusFromReset(rst, 200, true, null)), { code: Status.UNAVAILABLE, details: 'Connection dropped' }, `code ${rst}`);
    assert.deepEqual(codeAndDetails(statusFromReset(rst, 0, true, 'read ECONNRESET')), { code: Status.UNAVAILABLE, details: 'Connection dropped (read ECONNRESET)' }, `code ${rst}, socket error`);
  }
});

test('isGrpcContentType accepts application/grpc, +subtype and ;parameters, in any case', () => {
  const table: Array<[string | undefined, boolean]> = [
    ['application/grpc', true],
    ['application/grpc+proto', true],
    ['application/grpc+json', true],
    // grpc-go (http_util.go contentSubtype) also accepts parameters after ';'.
    ['application/grpc; charset=utf-8', true],
    ['application/grpc;charset=utf-8', true],
    ['APPLICATION/GRPC', true],
    ['Application/gRPC+Proto', true],
    ['text/html', false],
    ['text/html; charset=utf-8', false],
    ['application/grpc-web', false],
    ['application/grpc-web+proto', false],
    ['application/grpcx', false],
    ['application/json', false],
    ['', false],
    [undefined, false],
  ];
  for (const [value, want] of table) assert.equal(isGrpcContentType(value), want, String(value));
});

test('where a status came from: trailers → server, not gRPC → protocol, reset or lost connection → transport', () => {
  assert.equal(statusFromTrailers({ 'grpc-status': '14' }, 200).origin, 'server');
  assert.equal(statusFromTrailers({}, 200).origin, 'protocol');
  assert.equal(statusFromHttp(503).origin, 'protocol');
  assert.equal(statusFromReset(2, 200, false, null).origin, 'transport');
  assert.equal(statusFromReset(7, 200, false, null).origin, 'transport');
  assert.equal(statusFromReset(0, 200, false, null).origin, 'protocol');
  assert.equal(statusFromReset(0, 200, true, null).origin, 'transport');
});

test('trailers carry the rich status and the retry pushback', () => {
  const details = encodeRichStatus(14, 'busy', { reason: 'OVERLOADED', domain: 'd', retryDelayMs: 750 }).toString('base64');
  const status = statusFromTrailers({ 'grpc-status': '14', 'grpc-message': 'busy', 'grpc-status-details-bin': details, 'grpc-retry-pushback-ms': '300' }, 200);
  assert.deepEqual(status.rich, { reason: 'OVERLOADED', domain: 'd', retryDelayMs: 750 });
  assert.equal(status.pushbackMs, 300);
  assert.equal(statusFromTrailers({ 'grpc-status': '14', 'grpc-retry-pushback-ms': 'soon' }, 200).pushbackMs, null);
});
