/** The seed's Go servers (built into .peers/ by `bash ../shared/peers/build.sh .peers`) for benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

/** Starts one of the seed's Go servers pinned to CPU 0 (killed when this process exits); resolves with its host:port. */
export function startGoServer(binary: 'seed-server' | 'seed-server-gzip'): Promise<string> {
  const path = join(ROOT, '.peers', binary);
  if (!existsSync(path)) throw new Error(`${path} is missing: build the Go peers with bash ../shared/peers/build.sh .peers`);
  const child = spawn('taskset', ['-c', '0', path, '-port', '0'], { env: { ...process.env, QUIET: '1', HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${binary} did not start: ${text}`)), 10_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /server listening at (\S+:\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
  });
}
