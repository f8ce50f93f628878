/**
 * The one error type of Steward. Every expected failure carries a stable, greppable `code`, a
 * one-line `message` naming the problem, and a `hint` naming the fix. The CLI prints
 * `error: <message>` and `hint: <hint>` and exits with the code's exit status; it never prints a
 * stack trace for a StewardError.
 */
export const ErrorCodes = {
  E_USAGE: 2,
  E_UNKNOWN_COMMAND: 2,
  E_BAD_OPTION: 2,
  E_CONFIG: 1,
  E_APP_NOT_FOUND: 1,
  E_SCRIPT_NOT_FOUND: 1,
  E_ALREADY_RUNNING: 1,
  E_APP_CRASHED: 1,
  E_RELOAD_FAILED: 1,
  /** A later stop or delete interrupted or cancelled the operation. */
  E_SUPERSEDED: 1,
  /** The instance is being deleted (or the daemon is shutting down). */
  E_GONE: 1,
  /** The lifecycle refused an event in the current phase (a bug: reported, never ignored). */
  E_STATE: 1,
  E_EMPTY_LIST: 1,
  E_DUMP_CORRUPT: 1,
  E_DUMP_MISSING: 1,
  E_IO: 1,
  E_BAD_REQUEST: 1,
  E_INTERNAL: 1,
  E_HOME: 3,
  E_DAEMON_START: 3,
  E_DAEMON_UNREACHABLE: 3,
  E_VERSION_MISMATCH: 1,
  E_STARTUP: 1,
  /** ssh could not connect or authenticate (exit 255 of the system ssh). */
  E_SSH: 3,
  /** A deploy failed on a host (a hook, the health check, a lock held by another deploy). */
  E_DEPLOY: 1,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface StewardErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  data?: unknown;
}

export class StewardError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, opts: StewardErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StewardError';
    this.code = code;
    this.hint = opts.hint;
    this.data = opts.data;
  }

  get exitCode(): number {
    return ErrorCodes[this.code];
  }
}

export function isStewardError(e: unknown): e is StewardError {
  return e instanceof StewardError;
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code);
}

/** Node's errno-style errors (`ENOENT`, `EACCES`…) carry a `code` string. */
export function errnoCode(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') return e.code;
  return undefined;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
