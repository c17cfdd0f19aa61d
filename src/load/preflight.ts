import * as grpc from '@grpc/grpc-js';
import { TargetError } from '../errors.js';
import { loadStreamProto } from '../grpc/proto.js';

export const PREFLIGHT_TIMEOUT_MS = 5_000;

/** Fails with TargetError when nothing accepts an HTTP/2 connection at `target` in time. */
export async function checkReachable(target: string, timeoutMs = PREFLIGHT_TIMEOUT_MS): Promise<void> {
  const proto = loadStreamProto();
  const client = new proto.stream.StreamService(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  try {
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + timeoutMs, (error) => {
        if (error) reject(new TargetError(`target ${target} is unreachable: no gRPC connection within ${timeoutMs / 1000} s (${error.message})`));
        else resolve();
      });
    });
  } finally {
    client.close();
  }
}
