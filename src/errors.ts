/** Process exit codes; documented in the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  invalidArguments: 2,
  targetUnreachable: 3,
  runErrors: 4,
  thresholdsFailed: 5,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that knows which exit code it maps to. */
export class BenchError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.internal) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad flag, profile or file: nothing was started. */
export class ConfigError extends BenchError {
  constructor(message: string) {
    super(message, ExitCode.invalidArguments);
  }
}

/** The target could not be reached. */
export class TargetError extends BenchError {
  constructor(message: string) {
    super(message, ExitCode.targetUnreachable);
  }
}

/** Message of an unknown thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
