import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { startEchoServe } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const reflectionProto = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');

test('serve registers server reflection: StreamService is listed', async () => {
  const server = await startEchoServe();
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as any;
  const client = new pkg.grpc.reflection.v1.ServerReflection(server.target, grpc.credentials.createInsecure());
  try {
    const services = await new Promise<string[]>((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', (response: any) => resolve(response.list_services_response.service.map((s: { name: string }) => s.name)));
      call.on('error', reject);
      call.write({ list_services: '' });
      call.end();
    });
    assert.ok(services.includes('stream.StreamService'), services.join(', '));
  } finally {
    client.close();
    await server.stop();
  }
});
