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

/** HogwildError codes that mean "your input is bad" rather than "something failed". */
const INPUT_CODES = new Set(['HOGWILD_DATA', 'HOGWILD_IO', 'HOGWILD_CHECKPOINT_CORRUPT', 'ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR']);

/** The exit code for any error: a CliError's own, else by its `code`. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && INPUT_CODES.has(code)) return EXIT.INPUT;
  return EXIT.FAILURE;
}

/** One line for stderr: the message's first line, prefixed by the error's code when it has one. */
export function oneLine(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const first = e.message.split('\n')[0]!.trim() || e.name;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && !(e instanceof CliError) ? `${first} [${code}]` : first;
}
