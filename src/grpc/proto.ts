import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../generated/stream.js';
import type { StreamServiceClient } from '../generated/stream/StreamService.js';

/** proto/stream.proto, the seed's service definition, unchanged. */
export const PROTO_PATH = fileURLToPath(new URL('../../proto/stream.proto', import.meta.url));

export const ROUTE_CHAT_PATH = '/stream.StreamService/RouteChat';

/** Response header in which a server names itself (its host:port); per-backend figures key on it. */
export const BACKEND_ID_HEADER = 'x-backend-id';

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let cached: ProtoGrpcType | undefined;

/** Loads the proto once per thread. */
export function loadStreamProto(): ProtoGrpcType {
  if (!cached) {
    const definition = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
    cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return cached;
}

/** The package definition, for server reflection. */
export function loadPackageDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
}

export type { StreamServiceClient };
