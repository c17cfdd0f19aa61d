import * as grpc from '@grpc/grpc-js';
import { connectH2 } from '../engine/h2/h2-connection.js';
import type { EngineName } from '../engine/transport.js';
import { TargetError, describeError } from '../errors.js';
import { loadStreamProto } from '../grpc/proto.js';

export const PREFLIGHT_TIMEOUT_MS = 5_000;

/** Fails with TargetError when nothing accepts an HTTP/2 connection at `target` in time. */
export async function checkReachable(target: string, engine: EngineName = 'h2', timeoutMs = PREFLIGHT_TIMEOUT_MS): Promise<void> {
  if (engine === 'h2') {
    try {
      const connection = await connectH2({ target, compression: 'identity', window: null, maxMessageSize: 1024, connectTimeoutMs: timeoutMs });
      connection.close();
    } catch (error) {
      throw new TargetError(`target ${target} is unreachable: ${describeError(error)}`);
    }
    return;
  }
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
