/** The shape of one `hogwild <command>`. */
import type { OptionSpecs, ParsedArgs } from './args.js';

export interface CommandContext {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Standard input of the commands that read queries (nn, analogies); default process.stdin. */
  in?: NodeJS.ReadableStream;
}

export interface Command {
  name: string;
  /** One line for `hogwild --help`. */
  summary: string;
  /** Usage lines, without the options. */
  usage: readonly string[];
  options: OptionSpecs;
  /** Paragraphs printed after the options. */
  details?: string;
  /** Runs the command; resolves with the exit status. */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}
