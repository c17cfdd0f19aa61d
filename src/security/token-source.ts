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
  const mint = async (): Promise<{ token: string; expMs: number }> => {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + Math.round(spec.ttlS);
    const jwt = await new SignJWT({ ...spec.claims }).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt(now).setExpirationTime(exp).sign(key);
    return { token: jwt, expMs: exp * 1000 };
  };
  let { token, expMs } = await mint();
  let timer: NodeJS.Timeout | undefined;
  // From the real expiry (whole seconds, so up to 1 s sooner than now + ttl): a fresh token
  // once a third of the lifetime is left.
  const schedule = (): void => {
    timer = setTimeout(
      () => {
        void mint().then((fresh) => {
          ({ token, expMs } = fresh);
          schedule();
        });
      },
      Math.max(0, expMs - Date.now() - spec.ttlS * (1 - REFRESH_AT) * 1000),
    );
    timer.unref();
  };
  schedule();
  return { current: () => token, stop: () => clearTimeout(timer) };
}
