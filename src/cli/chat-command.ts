import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandModule } from 'yargs';
import { checkChoice, checkNumber } from '../config/checks.js';
import { DEFAULT_MAX_MESSAGE_SIZE } from '../config/defaults.js';
import { formatTargetList, hasSeveralAddresses, parseTargetList } from '../config/target-list.js';
import { loadEngine } from '../engine/engines.js';
import { Status, statusName } from '../engine/status-codes.js';
import { ENGINES, type CallStatus } from '../engine/transport.js';
import { BenchError, ConfigError, ExitCode, TargetError, describeError } from '../errors.js';
import { FixedPayloads } from '../grpc/payload.js';
import { firstReachable } from '../load/resolve-targets.js';
import { classifyFailure, reasonKey } from '../resilience/error-class.js';
import { loadClientTls } from '../security/client-tls.js';
import { openTokenSource } from '../security/token-source.js';
import { COMPRESSIONS } from '../types.js';
import { credentialsFromFlags, withSecurityFlags, type SecurityFlags } from './security-flags.js';

interface ChatArgs extends SecurityFlags {
  messages?: string[];
  target: string;
  interval: string;
  compression: string;
  engine: string;
  'allow-remote': boolean;
}

const SEED_MESSAGES = ['Hello', 'World', 'How', 'Are', 'You'];
const CONNECT_TIMEOUT_MS = 5_000;

export const chatCommand: CommandModule<object, ChatArgs> = {
  command: 'chat [messages..]',
  describe: 'Open one RouteChat stream, send each message, half-close and print every reply',
  builder: (y) =>
    withSecurityFlags(y)
      .positional('messages', { type: 'string', array: true, describe: `Messages to send [default: ${SEED_MESSAGES.join(' ')}]` })
      .option('target', { type: 'string', default: '127.0.0.1:50051', describe: 'Server HOST:PORT; a comma-separated list of them or dns:///NAME:PORT: the first address that answers (pick_first)' })
      .option('interval', { type: 'string', default: '0', describe: 'Milliseconds between sends' })
      .option('compression', { type: 'string', default: 'identity', describe: `Request compression: ${COMPRESSIONS.join(', ')}` })
      .option('engine', { type: 'string', default: 'h2', describe: `Client engine: ${ENGINES.join(', ')}` })
      .option('allow-remote', { type: 'boolean', default: false, describe: 'Allow a non-loopback target' })
      .example('$0 chat', 'Send the five seed messages to 127.0.0.1:50051')
      .example('$0 chat hi there --interval 1000', 'Two messages, one second apart')
      .example('$0 chat --target 127.0.0.1:50051,127.0.0.1:50052', 'The first of two servers that answers'),
  handler: async (args) => {
    const members = parseTargetList(args.target, args['allow-remote']);
    const list = formatTargetList(members);
    const intervalMs = args.interval === '0' ? 0 : checkNumber('--interval', args.interval, -1, 3_600_000);
    const compression = checkChoice('--compression', args.compression, COMPRESSIONS);
    const engineName = checkChoice('--engine', args.engine, ENGINES);
    const messages = args.messages && args.messages.length > 0 ? args.messages.map(String) : SEED_MESSAGES;

    const credentials = credentialsFromFlags(args);
    const tls = loadClientTls(credentials);
    const engine = await loadEngine(engineName);
    const token = credentials?.token ? await openTokenSource(credentials.token) : null;
    const callMetadata = token === null ? null : () => ({ authorization: `Bearer ${token.current()}` });
    let connection;
    let target = list;
    try {
      // A clear reason (refused, which TLS check failed) whatever the engine: grpc-js only says "not ready".
      // A list (or a DNS name): its first address that answers, as pick_first would.
      const reached = await firstReachable(list, { tls });
      target = reached.address;
      if (hasSeveralAddresses(members)) {
        for (const skipped of reached.skipped) process.stderr.write(`chat: skipped ${skipped}\n`);
        process.stderr.write(`chat: using ${target} (the first reachable address of ${list})\n`);
      }
      connection = await engine.connect({ target, tls, callMetadata, compression, window: null, maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE, connectTimeoutMs: CONNECT_TIMEOUT_MS });
    } catch (error) {
      token?.stop();
      if (error instanceof ConfigError) throw error;
      throw new TargetError(`RouteChat to ${target} failed: UNAVAILABLE: ${describeError(error)}`);
    }
    try {
      let resolveEnd: (status: CallStatus) => void = () => undefined;
      let echoes = 0;
      const ended = new Promise<CallStatus>((resolve) => (resolveEnd = resolve));
      const call = connection.openStream(
        {
          onHeaders: () => undefined,
          onEcho: (echo) => {
            echoes++;
            process.stdout.write(`${echo.text()}\n`);
          },
          onDrain: () => undefined,
          onEnd: (status) => resolveEnd(status),
        },
        new FixedPayloads(messages),
      );
      let status: CallStatus | null = null;
      void ended.then((s) => (status = s));
      for (let seq = 0; seq < messages.length && status === null; seq++) {
        if (seq > 0 && intervalMs > 0) await sleep(intervalMs);
        call.write(seq);
      }
      call.halfClose();
      const final = await ended;
      if (final.code !== Status.OK) {
        const code = final.code === Status.UNAVAILABLE ? ExitCode.targetUnreachable : ExitCode.runErrors;
        const rich = final.rich?.reason ? `; reason ${reasonKey(final.rich.reason, final.rich.domain)}` : '';
        const retry = final.rich?.retryDelayMs != null ? `; retry after ${final.rich.retryDelayMs} ms` : final.pushbackMs !== null ? `; retry pushback ${final.pushbackMs} ms` : '';
        throw new BenchError(`RouteChat to ${target} failed: ${statusName(final.code)}: ${final.details} (${classifyFailure(final, echoes)}${rich}${retry})`, code);
      }
    } finally {
      token?.stop();
      connection.close();
    }
  },
};
