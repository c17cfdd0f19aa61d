import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { decodeRichStatus, encodeRichStatus } from '../../src/resilience/rich-status.js';

test('ErrorInfo and RetryInfo survive encode → decode', () => {
  assert.deepEqual(decodeRichStatus(encodeRichStatus(14, 'down', { reason: 'OVERLOADED', domain: 'bench.example', retryDelayMs: 1500 })), {
    reason: 'OVERLOADED',
    domain: 'bench.example',
    retryDelayMs: 1500,
  });
  assert.deepEqual(decodeRichStatus(encodeRichStatus(10, 'x', { reason: 'CONFLICT', domain: 'd' })), { reason: 'CONFLICT', domain: 'd', retryDelayMs: null });
});

test('a google.rpc.Status packed as grpc-go packs it (Any with type.googleapis.com URLs, in any order, unknown details skipped)', () => {
  // Built by hand with protobufjs's own Any/Duration, independently of encodeRichStatus.
  const root = protobuf.Root.fromJSON({
    nested: {
      ErrorInfo: { fields: { reason: { type: 'string', id: 1 }, domain: { type: 'string', id: 2 } } },
      Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      RetryInfo: { fields: { retry_delay: { type: 'Duration', id: 1 } } },
      Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
      Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
    },
  });
  const t = (name: string): protobuf.Type => root.lookupType(name);
  const any = (name: string, type: string, value: object) => ({ type_url: `type.googleapis.com/${name}`, value: t(type).encode(t(type).fromObject(value)).finish() });
  const bytes = t('Status')
    .encode(
      t('Status').fromObject({
        code: 14,
        message: 'try later',
        details: [
          any('google.rpc.RetryInfo', 'RetryInfo', { retry_delay: { seconds: 2, nanos: 500_000_000 } }),
          { type_url: 'type.googleapis.com/google.rpc.DebugInfo', value: new Uint8Array([0x0a, 0x01, 0x41]) },
          any('google.rpc.ErrorInfo', 'ErrorInfo', { reason: 'RATE_LIMITED', domain: 'api.example' }),
        ],
      }),
    )
    .finish();
  assert.deepEqual(decodeRichStatus(bytes), { reason: 'RATE_LIMITED', domain: 'api.example', retryDelayMs: 2500 });
});

test('bytes that are not a Status decode to null, not a crash', () => {
  assert.equal(decodeRichStatus(Buffer.from([0xff, 0xff, 0xff])), null);
});
