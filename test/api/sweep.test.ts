/** sweep() validation: everything is checked before any load (the load itself: run.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, sweep } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { initHistograms, repetitionsFile } from '../helpers/synthetic-results.js';

await initHistograms();

describe('sweep() validation', () => {
  it('a profile name the CLI rejects is rejected with its message', async () => {
    const cli = await runCli(['sweep', '--profile', 'nope', '--dry-run']);
    assert.equal(cli.code, 2);
    await assert.rejects(sweep({ profile: 'nope' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 2);
      assert.equal(`grpc-stream-bench: ${error.message}`, cli.stderr.trim());
      return true;
    });
  });

  it('a profile document is validated field by field, overrides included', async () => {
    await assert.rejects(sweep({ profile: { axes: { compression: ['identity'], size: [16] } } as never }), {
      name: 'ConfigError',
      message: 'profile inline: axes.window is required: a non-empty list of flow-control windows in bytes (e.g. 65535, "1MiB"), got nothing',
    });
    const profile = { axes: { compression: ['identity'], size: [16], window: [65535] } };
    await assert.rejects(sweep({ profile, set: { streams: 0 } }), { name: 'ConfigError', message: 'profile inline: settings.streams must be an integer from 1 to 100000, got 0' });
    await assert.rejects(sweep({ profile, set: ['strems=3'] }), { name: 'ConfigError', message: /^profile inline: settings\.strems is not a known setting/ });
    await assert.rejects(sweep({ profile, repeat: 0 }), { name: 'ConfigError', message: '--repeat must be an integer from 1 to 100, got 0' });
  });

  it('resume keeps its recorded target, repeat and settings', async () => {
    const partial = repetitionsFile([{ msgsPerS: 1000, latencyUs: 100 }]);
    await assert.rejects(sweep({ resume: partial, target: '127.0.0.1:1', set: ['streams=2'] }), {
      name: 'ConfigError',
      message: '--target 127.0.0.1:1 and --set streams=2 cannot be used with --resume: the resumed sweep keeps its recorded target and settings (start a new sweep to change them)',
    });
    await assert.rejects(sweep({} as never), { name: 'ConfigError', message: 'sweep needs --profile NAME|FILE (quick, ci, full or a .json path), or --resume FILE' });
  });
});
