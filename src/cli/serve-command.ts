import type { CommandModule } from 'yargs';
import { checkBytes, checkInteger, checkNumber } from '../config/checks.js';
import { DEFAULT_MAX_MESSAGE_SIZE, MAX_WINDOW, MIN_WINDOW } from '../config/defaults.js';
import { formatTarget, isLoopback } from '../config/target.js';
import { ConfigError } from '../errors.js';
import { startEchoServer } from '../grpc/echo-server.js';

interface ServeArgs {
  host: string;
  port: string;
  window?: string;
  'max-message-size'?: string;
  'delay-ms'?: string;
  'grace-ms'?: string;
  'allow-remote': boolean;
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Run the RouteChat echo server (replies "Server received: " + message to every note)',
  builder: (y) =>
    y
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on (loopback unless --allow-remote)' })
      .option('port', { type: 'string', default: '50051', describe: 'Port; 0 picks a free one' })
      .option('window', { type: 'string', requiresArg: true, describe: 'HTTP/2 flow-control window, stream and connection (bytes, e.g. 1MiB)' })
      .option('max-message-size', { type: 'string', requiresArg: true, describe: `Largest message received or sent (bytes) [default: ${DEFAULT_MAX_MESSAGE_SIZE}]` })
      .option('delay-ms', { type: 'string', requiresArg: true, describe: 'Fixed delay before each echo, ms [default: 0]' })
      .option('grace-ms', { type: 'string', requiresArg: true, describe: 'On SIGINT/SIGTERM, how long open streams may finish before they are closed [default: 5000]' })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow listening on a non-loopback address' })
      .example('$0 serve', 'Listen on 127.0.0.1:50051')
      .example('$0 serve --port 0 --window 1MiB', 'Free port, 1 MiB flow-control windows'),
  handler: async (args) => {
    if (!args['allow-remote'] && !isLoopback(args.host)) {
      throw new ConfigError(`--host ${args.host} is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to listen elsewhere`);
    }
    const port = checkInteger('--port', args.port, 0, 65_535);
    const window = args.window === undefined ? null : checkBytes('--window', args.window, MIN_WINDOW, MAX_WINDOW);
    const maxMessageSize =
      args['max-message-size'] === undefined ? DEFAULT_MAX_MESSAGE_SIZE : checkBytes('--max-message-size', args['max-message-size'], 1024, 2 ** 31 - 1);
    const delayMs = args['delay-ms'] === undefined ? 0 : checkInteger('--delay-ms', args['delay-ms'], 0, 60_000);
    const graceMs = args['grace-ms'] === undefined ? 5_000 : checkNumber('--grace-ms', args['grace-ms'], -1, 600_000);

    const server = await startEchoServer({ host: args.host, port, window, maxMessageSize, delayMs });
    // Handlers first, then the ready line: a script may signal the moment it reads the line.
    // First signal: stop accepting and give open streams the grace period; a second one closes them now.
    const stopped = new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return void server.shutdown(0);
        stopping = true;
        void server.shutdown(graceMs).then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stdout.write(`listening on ${formatTarget({ host: server.host, port: server.port })}\n`);
    await stopped;
  },
};
