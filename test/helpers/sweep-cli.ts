import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp dir holding `profile.json` with this definition; returns the dir and the profile path. */
export function writeTempProfile(definition: unknown): { dir: string; profile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gsb-sweep-'));
  const profile = join(dir, 'profile.json');
  writeFileSync(profile, JSON.stringify(definition, null, 2));
  return { dir, profile };
}

/** A tiny profile: 2 compressions × 1 size × 2 windows = 4 cells of 0.3 s runs, no warm-up. */
export function tinyProfile(repeat: number): unknown {
  return {
    description: 'test',
    repeat,
    settings: { streams: 2, inFlight: 4, warmup: 0, duration: 0.3, serverCpus: 'none', clientCpus: 'none' },
    axes: { compression: ['identity', 'gzip'], size: [16], window: [65535, '1MiB'] },
  };
}
