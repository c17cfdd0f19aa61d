/**
 * A call the client did not open because the server's SETTINGS_MAX_CONCURRENT_STREAMS was
 * reached on its connection. node:http2 would queue the request silently until a stream ends
 * (with one stream per call and calls that last the whole run, for ever); instead it ends at
 * once, refused, so the limit shows as errors.
 */
import { Status } from '../status-codes.js';
import type { CallStatus, StreamHandler, TransportStream } from '../transport.js';
import { callStatus } from './call-status.js';

/** The status of a call refused by the client for the server's stream limit. */
export function streamLimitStatus(limit: number): CallStatus {
  return {
    ...callStatus(Status.UNAVAILABLE, `the server's stream limit was reached: it allows ${limit} concurrent streams per connection (SETTINGS_MAX_CONCURRENT_STREAMS); stream not opened`, 'transport'),
    refused: true,
  };
}

export class RefusedCall implements TransportStream {
  private over = false;

  constructor(handler: StreamHandler, status: CallStatus) {
    queueMicrotask(() => {
      if (this.over) return;
      this.over = true;
      handler.onEnd(status);
    });
  }

  write(): boolean {
    return true;
  }

  halfClose(): void {}

  cancel(): void {
    this.over = true;
  }
}
