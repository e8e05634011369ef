/**
 * Exit codes of the `hogwild` command, and the error that carries one. The
 * top level prints an error's message as one line on stderr (the stack only
 * with --debug) and exits with its code.
 */

/** What each exit status means (also printed by `hogwild --help`). */
export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** Training or prediction failed while running (an op failed, an internal error). */
  FAILURE: 1,
  /** Bad command line: unknown command or option, missing or malformed value. */
  USAGE: 2,
  /** Bad input: a missing, unreadable or malformed file (data, model, job module, checkpoint). */
  INPUT: 3,
  /** An output could not be written: disk full, read-only file system, no permission, a failed checkpoint save. */
  OUTPUT: 4,
  /** The output or checkpoint directory is in use by another hogwild run (its lock file names the pid). */
  BUSY: 5,
  /** Training diverged: the loss became NaN or infinite; the last good checkpoint is kept, no model is written. */
  DIVERGED: 6,
  /** Stopped by Ctrl-C (SIGINT); the last finished epoch is checkpointed. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM; the last finished epoch is checkpointed. */
  TERMINATED: 143,
});

/** An error the CLI reports as one line and a given exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.FAILURE, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A bad command line (exit 2). */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
    this.name = 'UsageError';
  }
}

/** A bad input file (exit 3). */
export class InputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.INPUT, options);
    this.name = 'InputError';
  }
}

/** A file could not be written (exit 4). */
export class OutputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.OUTPUT, options);
    this.name = 'OutputError';
  }
}

/** HogwildError codes that mean "your input is bad" rather than "something failed". */
const INPUT_CODES = new Set(['HOGWILD_DATA', 'HOGWILD_IO', 'HOGWILD_CHECKPOINT_CORRUPT', 'ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'ELOOP', 'HOGWILD_NO_STOP_CONDITION']);
/** errno names only a write can cause: always an output problem, whichever file. */
const OUTPUT_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);

/** The exit code for any error: a CliError's own, else by its `code`. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && OUTPUT_CODES.has(code)) return EXIT.OUTPUT;
  if (code === 'HOGWILD_NON_FINITE_LOSS') return EXIT.DIVERGED;
  if (typeof code === 'string' && INPUT_CODES.has(code)) return EXIT.INPUT;
  return EXIT.FAILURE;
}

/** An output error for a failed write of `what`, naming the path (the errno's own message may not). */
export function outputError(what: string, err: unknown): OutputError {
  const e = err as { message?: string; path?: unknown; code?: unknown };
  const msg = String(e?.message ?? err).split('\n')[0]!;
  const path = typeof e?.path === 'string' && !msg.includes(e.path) ? ` (${e.path})` : '';
  return new OutputError(`cannot write ${what}: ${msg}${path}`, { cause: err });
}

/** One line for stderr: the message's first line, prefixed by the error's code when it has one. */
export function oneLine(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const first = e.message.split('\n')[0]!.trim() || e.name;
  const code = (e as { code?: unknown }).code;
  // A disk-full or read-only message must say which file.
  const path = (e as { path?: unknown }).path;
  const where = typeof path === 'string' && !first.includes(path) ? ` (${path})` : '';
  return typeof code === 'string' && !(e instanceof CliError) ? `${first}${where} [${code}]` : `${first}${where}`;
}
