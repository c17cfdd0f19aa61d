import * as grpc from '@grpc/grpc-js';
import type { AuthDecision, AuthVerifier } from './jwt-verifier.js';

/** Metadata key the handler reads the verified subject (`sub`) from; a client's own copy is removed. */
export const VERIFIED_SUBJECT_KEY = 'x-verified-subject';

/** One decision on one call, for counting and logging (no token text in it). */
export interface AuthEvent {
  decision: AuthDecision;
  /** e.g. /stream.StreamService/RouteChat */
  method: string;
  /** e.g. 127.0.0.1:53012 */
  peer: string;
}

const STATUS_CODE = {
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
} as const;

/**
 * A grpc-js server interceptor that checks every call before its handler starts.
 *
 * The verification is async, so the call's metadata is held until it resolves: grpc-js only
 * starts a streaming handler after the last `onReceiveMetadata` passes it on, and only reads
 * messages once the handler's stream wants them. Messages or a half-close that still reach
 * this listener while the decision is pending are queued, then passed on in order if the call
 * is accepted and dropped if it is refused; a refused call ends with UNAUTHENTICATED or
 * PERMISSION_DENIED and never reaches its handler, so it gets no response message.
 */
export function createAuthInterceptor(verifier: AuthVerifier, onEvent: (event: AuthEvent) => void = () => undefined): grpc.ServerInterceptor {
  return (method, call) => {
    let state: 'pending' | 'accepted' | 'refused' = 'pending';
    let held: Array<() => void> = [];
    const whenAccepted = (deliver: () => void): void => {
      if (state === 'accepted') deliver();
      else if (state === 'pending') held.push(deliver);
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, passOn) => {
            metadata.remove(VERIFIED_SUBJECT_KEY);
            const refuse = (code: grpc.status, details: string): void => {
              state = 'refused';
              held = [];
              call.sendStatus({ code, details });
            };
            const decided = (decision: AuthDecision): void => {
              onEvent({ decision, method: method.path, peer: call.getPeer() });
              if (!decision.accepted) return refuse(STATUS_CODE[decision.code], decision.reason);
              if (decision.subject !== undefined) metadata.set(VERIFIED_SUBJECT_KEY, decision.subject);
              state = 'accepted';
              passOn(metadata);
              const queued = held;
              held = [];
              for (const deliver of queued) deliver();
            };
            verifier
              .authorize(metadata.get('authorization'))
              .then(decided)
              .catch(() => {
                // A verifier never rejects and a subject is printable ASCII; should either fail,
                // refuse the call rather than let it through or take the server down.
                if (state === 'pending') refuse(grpc.status.INTERNAL, 'authorization check failed');
              });
          },
          onReceiveMessage: (message, passOn) => whenAccepted(() => passOn(message)),
          onReceiveHalfClose: (passOn) => whenAccepted(passOn),
        });
      },
    });
  };
}
