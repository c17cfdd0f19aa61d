/**
 * The bearer token a client sends with every new call: read once (file, environment variable) or
 * minted by the generator with a signing key and re-minted before it expires, so a run longer
 * than a token's lifetime keeps opening calls without UNAUTHENTICATED. Lives in the thread that
 * opens the calls; tokens never leave it.
 */
import { readFileSync } from 'node:fs';
import { importPKCS8, SignJWT } from 'jose';
import { jwtAlgorithmOfKey, type TokenSpec } from './client-credentials.js';

export interface TokenSource {
  /** The token to send now. */
  current(): string;
  stop(): void;
}

/** A minted token is replaced once this share of its lifetime has passed. */
const REFRESH_AT = 2 / 3;

function staticToken(token: string, origin: string): TokenSource {
  if (token === '') throw new Error(`${origin} holds no token`);
  if (/\s/.test(token)) throw new Error(`${origin} holds a token with white space inside; a bearer token is one word`);
  return { current: () => token, stop: () => undefined };
}

export async function openTokenSource(spec: TokenSpec): Promise<TokenSource> {
  if (spec.kind === 'file') return staticToken(readFileSync(spec.path, 'utf8').trim(), `--token-file ${spec.path}`);
  if (spec.kind === 'env') return staticToken((process.env[spec.name] ?? '').trim(), `--token-env ${spec.name}`);
  const alg = jwtAlgorithmOfKey('--jwt-sign-key', spec.keyFile);
  const key = await importPKCS8(readFileSync(spec.keyFile, 'utf8'), alg);
  const mint = (): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...spec.claims })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + Math.round(spec.ttlS))
      .sign(key);
  };
  let token = await mint();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(() => {
      void mint().then((fresh) => {
        token = fresh;
        schedule();
      });
    }, spec.ttlS * REFRESH_AT * 1000);
    timer.unref();
  };
  schedule();
  return { current: () => token, stop: () => clearTimeout(timer) };
}
