/**
 * Listening for the observers' HTTP servers (the live page, Prometheus metrics): a busy port, a
 * refused permission or any other failure to listen is one ConfigError line naming the server.
 */
import type { Server } from 'node:http';
import { formatTarget } from '../config/target.js';
import { ConfigError, describeError } from '../errors.js';

export function listenOn(server: Server, host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const address = formatTarget({ host, port });
      if (error.code === 'EADDRINUSE') reject(new ConfigError(`${what}: port ${port} on ${host} is already in use (EADDRINUSE); use another port, or 0 for a free one`));
      else if (error.code === 'EACCES') reject(new ConfigError(`${what}: no permission to listen on ${address} (EACCES)`));
      else reject(new ConfigError(`${what}: cannot listen on ${address}: ${describeError(error)}`));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
