import type { Engine } from '../transport.js';
import { connectH2 } from './h2-connection.js';

/** The lean engine: gRPC written directly on node:http2 (see README, "Engines"). */
export const h2Engine: Engine = {
  name: 'h2',
  connect: (settings) => connectH2(settings),
};
