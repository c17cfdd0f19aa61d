import { ExitCode } from '../errors.js';

/**
 * First Ctrl-C (or SIGTERM) asks the work to stop and keep what it measured; a second one
 * exits at once. Returns a function that removes the handlers.
 */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) {
      process.stderr.write('\nstopping: finishing in-flight work and writing results (Ctrl-C again to quit now)\n');
      stop();
    } else {
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
