import { serverSecurityArgs, throwawayCredentials, throwawayMaterial } from '../security/throwaway-material.js';
import { usesTls, type SecurityMode } from '../security/security-mode.js';
import type { ClientCredentials, RunConfig } from '../types.js';
import type { EmbeddedServerOptions } from './embedded-server.js';

/** `serve` flags that secure the embedded server for `mode` (throwaway material made on first use). */
export async function embeddedSecurityArgs(mode: SecurityMode): Promise<string[]> {
  return usesTls(mode) ? serverSecurityArgs(mode, await throwawayMaterial()) : [];
}

/** The generator's credentials against the embedded server secured for `mode`. */
export async function embeddedCredentials(mode: SecurityMode): Promise<ClientCredentials | null> {
  return usesTls(mode) ? throwawayCredentials(mode, await throwawayMaterial()) : null;
}

/** How the embedded echo server is started for a run of this configuration. */
export async function embeddedServerOptions(config: RunConfig): Promise<EmbeddedServerOptions> {
  return {
    host: '127.0.0.1',
    window: config.window,
    maxMessageSize: config.maxMessageSize,
    delayMs: 0,
    cpus: config.serverCpus,
    instances: config.instances,
    securityArgs: await embeddedSecurityArgs(config.security),
  };
}
