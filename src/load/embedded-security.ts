import { serverSecurityArgs, throwawayCredentials, throwawayMaterial } from '../security/throwaway-material.js';
import { usesTls, type SecurityMode } from '../security/security-mode.js';
import type { ClientCredentials } from '../types.js';

/** `serve` flags that secure the embedded server for `mode` (throwaway material made on first use). */
export async function embeddedSecurityArgs(mode: SecurityMode): Promise<string[]> {
  return usesTls(mode) ? serverSecurityArgs(mode, await throwawayMaterial()) : [];
}

/** The generator's credentials against the embedded server secured for `mode`. */
export async function embeddedCredentials(mode: SecurityMode): Promise<ClientCredentials | null> {
  return usesTls(mode) ? throwawayCredentials(mode, await throwawayMaterial()) : null;
}
