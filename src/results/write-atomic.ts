import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, fsyncSync, renameSync, writeSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file so that readers see the old file or the whole new one, never a part. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
