/**
 * The Kubernetes manifests as the launcher renders them (`launch.sh render`), parsed as YAML and
 * checked for their wiring. The generator pod's script is run with a stand-in `node` that
 * records its arguments, once per completion index. No cluster is needed (or used).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/cli.js';

const LAUNCH = join(ROOT, 'deploy/kubernetes/launch.sh');

type Json = Record<string, any>;

function launch(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', [LAUNCH, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function render(args: string[]): Json[] {
  const r = launch(['render', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout);
  for (const doc of docs) assert.deepEqual(doc.errors, [], 'valid YAML');
  return docs.map((d) => d.toJS() as Json);
}

const byKind = (docs: Json[], kind: string): Json => {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0] as Json;
};

const envOf = (container: Json): Record<string, string> => Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

const PARAMS = ['--image', 'registry.example/gsb:1.2.3', '--shards', '4', '--namespace', 'bench', '--name', 'lab', '--run-id', 'nightly-7', '--start-at', '2026-12-01T10:00:00Z', '--run-flags', '--streams 64 --in-flight 8 --duration 20'];

/** Runs the generator container's script as pod `index` would, with a `node` that records its argv. */
function podArgv(job: Json, index: number): string[] {
  const container = job.spec.template.spec.containers[0] as Json;
  const dir = mkdtempSync(join(tmpdir(), 'k8s-pod-'));
  const record = join(dir, 'argv');
  writeFileSync(join(dir, 'node'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}"\n`);
  chmodSync(join(dir, 'node'), 0o755);
  const [shell, flag] = container.command as string[];
  const r = spawnSync(shell as string, [flag as string, ...(container.args as string[])], {
    encoding: 'utf8',
    env: { PATH: `${dir}:/usr/bin:/bin`, JOB_COMPLETION_INDEX: String(index), ...envOf(container) },
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(record, 'utf8').trimEnd().split('\n');
}

const flagValue = (argv: string[], flag: string): string | undefined => argv[argv.indexOf(flag) + 1];

describe('Kubernetes manifests (launch.sh render)', () => {
  const docs = render(PARAMS);
  const deployment = byKind(docs, 'Deployment');
  const service = byKind(docs, 'Service');
  const job = byKind(docs, 'Job');

  it('renders an Indexed Job whose completions, parallelism and shard count are N', () => {
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 4);
    assert.equal(job.spec.parallelism, 4);
    assert.equal(envOf(job.spec.template.spec.containers[0]).GSB_SHARDS, '4');
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.equal(job.spec.backoffLimit, 0);
  });

  it('maps completion index K-1 to --shard K/N, with one run id and start time for every pod', () => {
    const argvs = [0, 1, 2, 3].map((index) => podArgv(job, index));
    assert.deepEqual(argvs.map((a) => flagValue(a, '--shard')), ['1/4', '2/4', '3/4', '4/4']);
    for (const argv of argvs) {
      assert.equal(argv[0], '/app/dist/cli/main.js');
      assert.equal(argv[1], 'run');
      assert.equal(flagValue(argv, '--run-id'), 'nightly-7');
      assert.equal(flagValue(argv, '--start-at'), '2026-12-01T10:00:00Z');
      assert.ok(argv.includes('--allow-remote'));
      assert.equal(flagValue(argv, '--streams'), '64');
      assert.equal(flagValue(argv, '--duration'), '20');
    }
    assert.equal(job.metadata.labels['grpc-stream-bench/run-id'], 'nightly-7');
  });

  it("targets the echo Service by name with dns:///, and the Service selects the fleet's pods", () => {
    const argv = podArgv(job, 0);
    assert.equal(flagValue(argv, '--target'), `dns:///${service.metadata.name}.bench.svc:50051`);
    assert.equal(service.spec.clusterIP, 'None', 'headless: dns:/// sees every pod');
    assert.deepEqual(service.spec.ports.map((p: Json) => p.port), [50051]);
    const selector = Object.entries(service.spec.selector as Record<string, string>);
    assert.ok(selector.length > 0, 'the Service has a selector');
    for (const [key, value] of selector) {
      assert.equal(deployment.spec.template.metadata.labels[key], value, `selector ${key}`);
      assert.equal(deployment.spec.selector.matchLabels[key], value);
    }
    const serve = deployment.spec.template.spec.containers[0] as Json;
    assert.deepEqual(serve.args, ['serve', '--host', '0.0.0.0', '--allow-remote', '--port', '50051']);
    assert.equal(serve.readinessProbe.tcpSocket.port, 'grpc');
    assert.deepEqual(serve.ports, [{ name: 'grpc', containerPort: 50051 }]);
  });

  it('sets resource requests and limits on every container', () => {
    for (const container of [deployment.spec.template.spec.containers[0], job.spec.template.spec.containers[0]] as Json[]) {
      for (const kind of ['requests', 'limits']) {
        assert.ok(container.resources[kind].cpu, `${container.name} ${kind}.cpu`);
        assert.ok(container.resources[kind].memory, `${container.name} ${kind}.memory`);
      }
    }
  });

  it('takes the image, namespace and names from the parameters only', () => {
    for (const container of [deployment.spec.template.spec.containers[0], job.spec.template.spec.containers[0]] as Json[]) assert.equal(container.image, 'registry.example/gsb:1.2.3');
    for (const doc of docs) assert.equal(doc.metadata.namespace, 'bench');
    const other = render(['--image', 'other/image:9', '--namespace', 'perf', '--run-id', 'x', '--start-at', '1796000000000']);
    assert.equal(byKind(other, 'Job').spec.template.spec.containers[0].image, 'other/image:9');
    assert.equal(byKind(other, 'Job').spec.completions, 3, 'default N');
    for (const doc of other) assert.equal(doc.metadata.namespace, 'perf');
    assert.equal(flagValue(podArgv(byKind(other, 'Job'), 2), '--shard'), '3/3');
  });

  it('runs as a non-root user', () => {
    for (const spec of [deployment.spec.template.spec, job.spec.template.spec] as Json[]) assert.equal(spec.securityContext.runAsNonRoot, true);
    assert.match(readFileSync(join(ROOT, 'deploy/kubernetes/Dockerfile'), 'utf8'), /^USER node$/m);
  });
});

describe('launch.sh refuses bad parameters (exit 2, one line)', () => {
  const cases: [string[], string][] = [
    [['render'], 'launch.sh: --image is required: an image built from deploy/kubernetes/Dockerfile and pushed where the cluster can pull it'],
    [['render', '--image', 'i', '--shards', '0'], 'launch.sh: --shards must be a positive integer, got "0"'],
    [['render', '--image', 'i', '--namespace', 'Bad_NS'], `launch.sh: --namespace must be a DNS label (a-z, 0-9, '-', at most 32 characters), got "Bad_NS"`],
    [['render', '--image', 'i', '--run-flags', '--streams 8 --shard 1/2'], 'launch.sh: --run-flags must not contain --shard: the launcher sets it for every shard'],
    [['render', '--image', 'i', '--run-flags', '--streams "8"'], `launch.sh: --run-flags may hold only A-Z a-z 0-9 space . _ : / = , + -, got "--streams "8""`],
    [['apply'], 'launch.sh: first argument must be render or run, got "apply" (see --help)'],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = launch(args);
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `${message}\n`);
    });
  }
});
