#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { BenchError, ConfigError, describeError, ExitCode } from '../errors.js';
import { harnessVersion } from '../results/environment.js';
import { certsCommand } from './certs-command.js';
import { chatCommand } from './chat-command.js';
import { checkCommand } from './check-command.js';
import { compareCommand } from './compare-command.js';
import { mergeCommand } from './merge-command.js';
import { reportCommand } from './report-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { sweepCommand } from './sweep-command.js';

async function main(argv: string[]): Promise<number> {
  try {
    await yargs(argv)
      .scriptName('grpc-stream-bench')
      .usage('$0 <command> [options]\n\nBenchmark harness for gRPC bidirectional streaming (StreamService.RouteChat).')
      .command(serveCommand)
      .command(chatCommand)
      .command(runCommand)
      .command(sweepCommand)
      .command(reportCommand)
      .command(compareCommand)
      .command(checkCommand)
      .command(mergeCommand)
      .command(certsCommand)
      .demandCommand(1, 'Name a command: serve, chat, run, sweep, merge, report, compare, check or certs (see --help)')
      .recommendCommands()
      .strict()
      .fail((message, error) => {
        // yargs' own argument errors (a flag without its value …) are bad input too: exit 2.
        if (error === undefined || error === null || error.name === 'YError') throw new ConfigError(message ?? error?.message ?? 'invalid arguments');
        throw error;
      })
      .epilogue('Exit codes: 0 ok · 1 internal error · 2 invalid arguments · 3 target unreachable · 4 run finished with errors · 5 thresholds failed · 130 interrupted')
      .help()
      .alias('h', 'help')
      .version(harnessVersion())
      .wrap(Math.min(120, process.stdout.columns ?? 100))
      .parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error: unknown) {
    process.stderr.write(`grpc-stream-bench: ${describeError(error)}\n`);
    return error instanceof BenchError ? error.exitCode : ExitCode.internal;
  }
}

process.exit(await main(hideBin(process.argv)));
