import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import type { CommandModule } from 'yargs';
import { checkChoice, checkNumber } from '../config/checks.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../config/defaults.js';
import { formatTarget, parseTarget } from '../config/target.js';
import { BenchError, ExitCode } from '../errors.js';
import type { RouteNote__Output } from '../generated/stream/RouteNote.js';
import { clientChannelOptions } from '../grpc/channel-options.js';
import { loadStreamProto } from '../grpc/proto.js';
import { COMPRESSIONS } from '../types.js';

interface ChatArgs {
  messages?: string[];
  target: string;
  interval: string;
  compression: string;
  'allow-remote': boolean;
}

const SEED_MESSAGES = ['Hello', 'World', 'How', 'Are', 'You'];

export const chatCommand: CommandModule<object, ChatArgs> = {
  command: 'chat [messages..]',
  describe: 'Open one RouteChat stream, send each message, half-close and print every reply',
  builder: (y) =>
    y
      .positional('messages', { type: 'string', array: true, describe: `Messages to send [default: ${SEED_MESSAGES.join(' ')}]` })
      .option('target', { type: 'string', default: '127.0.0.1:50051', describe: 'Server HOST:PORT' })
      .option('interval', { type: 'string', default: '0', describe: 'Milliseconds between sends' })
      .option('compression', { type: 'string', default: 'identity', describe: `Request compression: ${COMPRESSIONS.join(', ')}` })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a non-loopback target' })
      .example('$0 chat', 'Send the five seed messages to 127.0.0.1:50051')
      .example('$0 chat hi there --interval 1000', 'Two messages, one second apart'),
  handler: async (args) => {
    const target = formatTarget(parseTarget(args.target, args['allow-remote']));
    const intervalMs = args.interval === '0' ? 0 : checkNumber('--interval', args.interval, -1, 3_600_000);
    const compression = checkChoice('--compression', args.compression, COMPRESSIONS);
    const messages = args.messages && args.messages.length > 0 ? args.messages.map(String) : SEED_MESSAGES;

    const proto = loadStreamProto();
    const client = new proto.stream.StreamService(
      target,
      grpc.credentials.createInsecure(),
      clientChannelOptions({ compression, window: null, maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE, ownConnection: false }),
    );
    try {
      const call = client.RouteChat();
      const finished = new Promise<void>((resolve, reject) => {
        call.on('data', (note: RouteNote__Output) => process.stdout.write(`${note.message}\n`));
        call.on('error', () => undefined);
        call.on('status', (status: grpc.StatusObject) => {
          if (status.code === grpc.status.OK) return resolve();
          const code = status.code === grpc.status.UNAVAILABLE ? ExitCode.targetUnreachable : ExitCode.runErrors;
          reject(new BenchError(`RouteChat to ${target} failed: ${grpc.status[status.code]}: ${status.details}`, code));
        });
      });
      for (const [i, message] of messages.entries()) {
        if (i > 0 && intervalMs > 0) await sleep(intervalMs);
        call.write({ message });
      }
      call.end();
      await finished;
    } finally {
      client.close();
    }
  },
};
