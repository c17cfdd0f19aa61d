import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { checkInteger } from '../config/checks.js';
import { ConfigError } from '../errors.js';
import {
  DEFAULT_CERT_DAYS,
  DEFAULT_CLIENT_NAME,
  generateSecurityMaterial,
  MAX_CERT_DAYS,
  SECURITY_FILES,
  writeSecurityMaterial,
  type SecurityFileRole,
  type SecurityMaterial,
  type WrittenFile,
} from '../security/certs.js';

interface CertsArgs {
  out?: string;
  hosts?: string[];
  days?: string;
  'client-name'?: string;
  force: boolean;
}

export const certsCommand: CommandModule<object, CertsArgs> = {
  command: 'certs',
  describe: 'Write throwaway TLS/mTLS certificates (a CA, server and client, ECDSA P-256) and an ES256 JWT key pair for tests and benchmarks',
  builder: (y) =>
    (y as Argv<object>)
      .option('out', { type: 'string', requiresArg: true, describe: 'Directory to write into (created if missing)' })
      .option('hosts', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'Extra server certificate names besides localhost, 127.0.0.1 and ::1: DNS names or IP addresses (repeatable or comma-separated)',
      })
      .option('days', { type: 'string', requiresArg: true, describe: `Validity in days, 1 to ${MAX_CERT_DAYS} [default: ${DEFAULT_CERT_DAYS}]` })
      .option('client-name', { type: 'string', requiresArg: true, describe: `Subject CN of the client certificate [default: "${DEFAULT_CLIENT_NAME}"]` })
      .option('force', { type: 'boolean', default: false, describe: 'Overwrite files an earlier run wrote there' })
      .example('$0 certs --out certs', 'CA, server, client and JWT keys in ./certs, valid 30 days')
      .example('$0 certs --out certs --hosts bench.internal,10.0.0.5 --days 7', 'Also valid for bench.internal and 10.0.0.5') as Argv<CertsArgs>,
  handler: async (args) => {
    if (args.out === undefined || args.out.trim() === '') {
      const given = args.out === undefined ? '' : `, got ${JSON.stringify(args.out)}`;
      throw new ConfigError(`--out DIR is required: the directory to write ${Object.values(SECURITY_FILES).join(', ')} into (created if missing)${given}`);
    }
    const days = args.days === undefined ? DEFAULT_CERT_DAYS : checkInteger('--days', args.days, 1, MAX_CERT_DAYS);
    const material = await generateSecurityMaterial({ hosts: args.hosts ?? [], days, clientName: args['client-name'] ?? DEFAULT_CLIENT_NAME });
    const written = writeSecurityMaterial(args.out, material, { force: args.force });
    process.stdout.write(renderCertsSummary(args.out, material, written));
  },
};

/** What was written and the flags that use it; names and dates only, never key material. */
export function renderCertsSummary(dir: string, material: SecurityMaterial, written: readonly WrittenFile[]): string {
  const path = (role: SecurityFileRole): string => shellQuote(join(dir, SECURITY_FILES[role]));
  const width = Math.max(...written.map((file) => file.path.length));
  const lines = [`wrote ${written.length} files to ${dir}:`];
  for (const file of written) lines.push(`  ${file.path.padEnd(width)}  ${file.mode.toString(8).padStart(4, '0')}  ${DESCRIPTIONS[file.role]}`);
  lines.push(
    '',
    `CA:           CN=${material.caName}`,
    `server SANs:  ${material.serverNames.map((name) => `${name.type === 'dns' ? 'DNS' : 'IP'}:${name.value}`).join(', ')}`,
    `client:       CN=${material.clientName}`,
    `valid until:  ${material.notAfter.toISOString()} (${material.days} days; from ${material.notBefore.toISOString()}, a minute back for clock skew)`,
    '',
    'Use them (the bracketed flags add mTLS and JWT auth):',
    `  grpc-stream-bench serve --tls-cert ${path('server')} --tls-key ${path('serverKey')} [--tls-client-ca ${path('ca')}] [--jwt-public-key ${path('jwtPublic')}]`,
    `  grpc-stream-bench run --ca ${path('ca')} [--cert ${path('client')} --key ${path('clientKey')}] [--jwt-sign-key ${path('jwtPrivate')}]`,
    '',
    'Throwaway material for tests and benchmarks: keep the private keys (mode 0600) out of version control.',
  );
  return `${lines.join('\n')}\n`;
}

const DESCRIPTIONS: Record<SecurityFileRole, string> = {
  ca: 'CA certificate',
  caKey: 'CA private key',
  server: 'server certificate (serverAuth)',
  serverKey: 'server private key',
  client: 'client certificate (clientAuth)',
  clientKey: 'client private key',
  jwtPrivate: 'JWT signing key (ES256, PKCS#8)',
  jwtPublic: 'JWT verification key (ES256, SPKI)',
};

/** A path as a POSIX shell word: as is when it is safe, else single-quoted. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
