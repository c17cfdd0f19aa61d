/** gRPC status codes by name, as in grpc/grpc doc/statuscodes.md (and grpc-js's Status enum). */
export const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
export type StatusName = (typeof STATUS_NAMES)[number];

export const Status = Object.fromEntries(STATUS_NAMES.map((name, code) => [name, code])) as Record<StatusName, number>;

/** The name of a status code; unknown codes as CODE_<n>. */
export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `CODE_${code}`;
}
