import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as api from '../../src/index.js';

describe('the package entry', () => {
  it('exports the seven functions, the errors and the exit-code helpers, nothing else at run time', () => {
    assert.deepEqual(Object.keys(api).sort(), [
      'BenchError',
      'COMPRESSIONS',
      'ConfigError',
      'ExitCode',
      'PACINGS',
      'RESULTS_SCHEMA',
      'RESULTS_SCHEMA_VERSION',
      'TargetError',
      'check',
      'compare',
      'merge',
      'report',
      'run',
      'runExitCode',
      'serve',
      'sweep',
      'sweepExitCode',
    ]);
    assert.ok(new api.ConfigError('x') instanceof api.BenchError);
    assert.equal(new api.ConfigError('x').exitCode, 2);
    assert.equal(new api.TargetError('x').exitCode, 3);
  });

  it('rejects an unknown option, as the CLI rejects an unknown flag, before anything starts', async () => {
    const cases: [Promise<unknown>, RegExp][] = [
      [api.run({ stream: 2 } as never), /^run\(\): unknown option "stream"; options: target, allowRemote, allowPartial, lb, engine, .*, signal, onProgress$/],
      [api.sweep({ profile: 'quick', repeats: 2 } as never), /^sweep\(\): unknown option "repeats"; options: /],
      [api.serve({ prot: 0 } as never), /^serve\(\): unknown option "prot"; options: host, port, /],
      [api.check({ thresholds: ['errors == 0'], baselines: [] } as never), /^check\(\): unknown option "baselines"; options: /],
      [api.compare({ files: [], format: 'md' } as never), /^compare\(\): unknown option "format"; options: files, a, b, metrics$/],
      [api.report({ files: [], out: 'x.html' } as never), /^report\(\): unknown option "out"; options: files, format$/],
      [api.run(null as never), /^run\(\) takes an options object, got null$/],
    ];
    for (const [call, message] of cases) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof api.ConfigError, String(error));
        assert.equal(error.exitCode, 2);
        assert.match(error.message, message);
        return true;
      });
    }
  });
});
