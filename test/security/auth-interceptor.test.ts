import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadStreamProto, ROUTE_CHAT_PATH } from '../../src/grpc/proto.js';
import type { RouteNote, RouteNote__Output } from '../../src/generated/stream/RouteNote.js';
import { createAuthInterceptor, VERIFIED_SUBJECT_KEY, type AuthEvent } from '../../src/security/auth-interceptor.js';
import type { AuthDecision, AuthVerifier } from '../../src/security/jwt-verifier.js';

/** A verifier whose decisions the test releases by hand, so calls stay pending as long as it wants. */
function heldVerifier() {
  const pending: Array<{ authorization: readonly unknown[]; decide: (d: AuthDecision) => void; fail: (e: unknown) => void }> = [];
  let waiter: (() => void) | null = null;
  const verifier: AuthVerifier = {
    description: 'test',
    authorize: (authorization) =>
      new Promise<AuthDecision>((decide, fail) => {
        pending.push({ authorization, decide, fail });
        waiter?.();
      }),
  };
  const next = async () => {
    while (pending.length === 0) await new Promise<void>((resolve) => (waiter = resolve));
    return pending.shift()!;
  };
  return { verifier, next };
}

/** The interceptor over a fake inner call: what reaches the handler's listener, in order. */
function intercepted(verifier: AuthVerifier) {
  const delivered: string[] = [];
  const statuses: Partial<grpc.StatusObject>[] = [];
  const events: AuthEvent[] = [];
  let inner: grpc.ServerListener | undefined;
  const fakeCall = {
    start: (listener: grpc.ServerListener) => void (inner = listener),
    sendStatus: (status: Partial<grpc.StatusObject>) => void statuses.push(status),
    getPeer: () => '127.0.0.1:4242',
  } as unknown as grpc.ServerInterceptingCallInterface;
  const interceptor = createAuthInterceptor(verifier, (event) => events.push(event));
  const call = interceptor({ path: ROUTE_CHAT_PATH } as grpc.ServerMethodDefinition<unknown, unknown>, fakeCall);
  call.start({
    onReceiveMetadata: (md: grpc.Metadata) => delivered.push(`metadata ${JSON.stringify(md.get(VERIFIED_SUBJECT_KEY))}`),
    onReceiveMessage: (message: string) => delivered.push(`message ${message}`),
    onReceiveHalfClose: () => delivered.push('half-close'),
    onCancel: () => delivered.push('cancel'),
  } as grpc.ServerListener as never);
  const listener = inner as Required<Pick<grpc.ServerListener, 'onReceiveMetadata' | 'onReceiveMessage' | 'onReceiveHalfClose'>>;
  return { listener, delivered, statuses, events };
}

test('messages and the half-close that arrive while the token is checked are passed on in order once accepted', async () => {
  const { verifier, next } = heldVerifier();
  const { listener, delivered, statuses, events } = intercepted(verifier);
  const md = new grpc.Metadata();
  md.set('authorization', 'Bearer t');
  md.set(VERIFIED_SUBJECT_KEY, 'mallory');
  (listener.onReceiveMetadata as (m: grpc.Metadata) => void)(md);
  (listener.onReceiveMessage as (m: string) => void)('a');
  (listener.onReceiveMessage as (m: string) => void)('b');
  (listener.onReceiveHalfClose as () => void)();
  const check = await next();
  assert.deepEqual(check.authorization, ['Bearer t']);
  assert.deepEqual(delivered, [], 'nothing reaches the handler before the decision');
  check.decide({ accepted: true, subject: 'alice' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(delivered, ['metadata ["alice"]', 'message a', 'message b', 'half-close']);
  assert.deepEqual(statuses, []);
  assert.deepEqual(events, [{ decision: { accepted: true, subject: 'alice' }, method: ROUTE_CHAT_PATH, peer: '127.0.0.1:4242' }]);
});

test('a refused call gets its status and none of its messages reach the handler', async () => {
  const { verifier, next } = heldVerifier();
  const { listener, delivered, statuses } = intercepted(verifier);
  (listener.onReceiveMetadata as (m: grpc.Metadata) => void)(new grpc.Metadata());
  (listener.onReceiveMessage as (m: string) => void)('a');
  (await next()).decide({ accepted: false, code: 'PERMISSION_DENIED', reason: 'role bench required' });
  await new Promise((resolve) => setImmediate(resolve));
  (listener.onReceiveMessage as (m: string) => void)('late');
  (listener.onReceiveHalfClose as () => void)();
  assert.deepEqual(delivered, []);
  assert.deepEqual(statuses, [{ code: grpc.status.PERMISSION_DENIED, details: 'role bench required' }]);
});

test('a verifier that fails refuses the call with INTERNAL rather than letting it through', async () => {
  const { verifier, next } = heldVerifier();
  const { listener, delivered, statuses } = intercepted(verifier);
  (listener.onReceiveMetadata as (m: grpc.Metadata) => void)(new grpc.Metadata());
  (await next()).fail(new Error('boom'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(delivered, []);
  assert.deepEqual(statuses, [{ code: grpc.status.INTERNAL, details: 'authorization check failed' }]);
});

test('a subject metadata cannot carry refuses the call with INTERNAL instead of throwing', async () => {
  const { verifier, next } = heldVerifier();
  const { listener, delivered, statuses } = intercepted(verifier);
  (listener.onReceiveMetadata as (m: grpc.Metadata) => void)(new grpc.Metadata());
  (await next()).decide({ accepted: true, subject: 'line\nbreak' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(delivered, []);
  assert.deepEqual(statuses, [{ code: grpc.status.INTERNAL, details: 'authorization check failed' }]);
});

// In a real grpc-js server: a tiny RouteChat handler that answers with the subject it was given.
inProcessServerTests();

function inProcessServerTests(): void {
  const { verifier, next } = heldVerifier();
  let server: grpc.Server;
  let target = '';
  let handlerCalls = 0;
  before(async () => {
    server = new grpc.Server({ interceptors: [createAuthInterceptor(verifier)] });
    server.addService(loadStreamProto().stream.StreamService.service, {
      RouteChat: (call: grpc.ServerDuplexStream<RouteNote__Output, RouteNote>) => {
        handlerCalls++;
        const subject = JSON.stringify(call.metadata.get(VERIFIED_SUBJECT_KEY));
        call.on('data', (note: RouteNote__Output) => call.write({ message: `${subject} ${note.message}` }));
        call.on('end', () => call.end());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    target = `127.0.0.1:${port}`;
  });
  after(() => server.forceShutdown());

  async function chat(metadata: grpc.Metadata, decision: AuthDecision) {
    const client = new (loadStreamProto().stream.StreamService)(target, grpc.credentials.createInsecure());
    const call = client.RouteChat(metadata);
    const echoes: string[] = [];
    call.on('data', (note: RouteNote__Output) => echoes.push(note.message));
    call.on('error', () => undefined);
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    // Written at once: they reach the server while the decision is still held.
    for (const message of ['a', 'b', 'c']) call.write({ message });
    call.end();
    const check = await next();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the messages arrive first (not an assertion)
    check.decide(decision);
    const { code, details } = await status;
    client.close();
    return { echoes, code: grpc.status[code], details };
  }

  test('a client cannot spoof x-verified-subject: the handler sees the token\'s subject, or none', async () => {
    const spoofed = new grpc.Metadata();
    spoofed.set(VERIFIED_SUBJECT_KEY, 'mallory');
    spoofed.set('authorization', 'Bearer t');
    assert.deepEqual(await chat(spoofed, { accepted: true, subject: 'alice' }), {
      echoes: ['["alice"] a', '["alice"] b', '["alice"] c'],
      code: 'OK',
      details: 'OK',
    });
    assert.deepEqual((await chat(spoofed, { accepted: true, subject: undefined })).echoes, ['[] a', '[] b', '[] c']);
  });

  test('a refused stream never reaches the handler and gets no echo', async () => {
    const callsBefore = handlerCalls;
    assert.deepEqual(await chat(new grpc.Metadata(), { accepted: false, code: 'UNAUTHENTICATED', reason: 'missing bearer token' }), {
      echoes: [],
      code: 'UNAUTHENTICATED',
      details: 'missing bearer token',
    });
    assert.equal(handlerCalls, callsBefore);
  });
}
