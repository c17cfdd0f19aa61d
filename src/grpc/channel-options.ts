import type { ChannelOptions } from '@grpc/grpc-js';
import type { Compression } from '../types.js';

export const COMPRESSION_ALGORITHM: Record<Compression, number> = { identity: 0, deflate: 1, gzip: 2 };

export interface ClientChannelSettings {
  compression: Compression;
  window: number | null;
  maxMessageSize: number;
  /** Give the channel a subchannel pool of its own, so that it opens its own TCP connection. */
  ownConnection: boolean;
}

/** grpc-js channel options for one client channel. */
export function clientChannelOptions(settings: ClientChannelSettings): ChannelOptions {
  const options: ChannelOptions = {
    'grpc.default_compression_algorithm': COMPRESSION_ALGORITHM[settings.compression],
    'grpc.max_receive_message_length': settings.maxMessageSize,
    'grpc.max_send_message_length': settings.maxMessageSize,
  };
  if (settings.window !== null) options['grpc-node.flow_control_window'] = settings.window;
  if (settings.ownConnection) options['grpc.use_local_subchannel_pool'] = 1;
  return options;
}
