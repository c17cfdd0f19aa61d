import { fileURLToPath } from 'node:url';

/**
 * Path of a sibling module of the running code: `.js` when running the build, `.ts` when the
 * sources run through tsx (tests), so worker threads and child processes load the same code.
 */
export function siblingModule(baseUrl: string, relativeJs: string): string {
  const fromSource = baseUrl.endsWith('.ts');
  return fileURLToPath(new URL(fromSource ? relativeJs.replace(/\.js$/, '.ts') : relativeJs, baseUrl));
}

/** Node flags a child process needs to run the same kind of code as this one. */
export function childExecArgv(baseUrl: string): string[] {
  return baseUrl.endsWith('.ts') ? ['--import', 'tsx'] : [];
}
