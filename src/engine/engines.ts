import type { Engine, EngineName } from './transport.js';

/** The engine of that name; each is loaded only when asked for (an h2 run never loads grpc-js). */
export async function loadEngine(name: EngineName): Promise<Engine> {
  if (name === 'h2') return (await import('./h2/h2-engine.js')).h2Engine;
  return (await import('./grpc-js/grpc-js-engine.js')).grpcJsEngine;
}
