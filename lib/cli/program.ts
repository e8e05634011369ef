/**
 * The `hogwild` program: picks the command, parses its flags, runs it, and
 * turns every failure into one line on stderr and a meaningful exit status
 * (stack traces only with --debug or HOGWILD_DEBUG=1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../runtime/nativeAreas.js';
import { parseCommandArgs } from './args.js';
import type { Command, CommandContext } from './command.js';
import { demo } from './commands/demo.js';
import { predict, predictProb, test, testLabel } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { printSentenceVectors, printWordVectors } from './commands/vectors.js';
import { launchCommand } from './commands/launch.js';
import { nn } from './commands/nn.js';
import { analogies } from './commands/analogies.js';
import { runCommand } from './commands/run.js';
import { supervised } from './commands/supervised.js';
import { cbow, skipgram } from './commands/wordVectors.js';
import { EXIT, exitCodeOf, oneLine } from './exitCodes.js';
import { commandHelp, mainHelp } from './help.js';

export const COMMANDS: readonly Command[] = [demo, supervised, cbow, skipgram, test, testLabel, predict, predictProb, exportCommand, printWordVectors, printSentenceVectors, nn, analogies, runCommand, launchCommand];

/** Commands whose flags are spelled with one dash in --help, as fastText does. */
const FASTTEXT_STYLE = new Set(['supervised', 'cbow', 'skipgram']);

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function errorEvent(err: unknown, exitCode: number): Record<string, unknown> {
  const code = (err as { code?: unknown } | null)?.code;
  const path = (err as { path?: unknown } | null)?.path;
  return { event: 'error', message: oneLine(err), exitCode, ...(typeof code === 'string' ? { code } : {}), ...(typeof path === 'string' ? { path } : {}) };
}

/** Runs `hogwild <argv…>`; resolves with the exit status (never rejects). */
export async function main(argv: readonly string[], ctx: CommandContext = { out: process.stdout, err: process.stderr }): Promise<number> {
  const debug = argv.includes('--debug') || argv.includes('-debug') || process.env.HOGWILD_DEBUG === '1';
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      const target = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      ctx.out.write(target ? commandHelp(target, FASTTEXT_STYLE.has(target.name) ? '-' : '--') : mainHelp(COMMANDS, version()));
      return name === undefined ? EXIT.USAGE : EXIT.OK;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
      ctx.out.write(`${version()}\n`);
      return EXIT.OK;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) {
      ctx.err.write(`hogwild: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see hogwild --help)\n`);
      return EXIT.USAGE;
    }
    if (rest.includes('-h') || rest.includes('--help') || rest.includes('-help')) {
      ctx.out.write(commandHelp(cmd, FASTTEXT_STYLE.has(cmd.name) ? '-' : '--'));
      return EXIT.OK;
    }
    const args = parseCommandArgs(cmd.name, rest, cmd.options);
    return await cmd.run(args, ctx);
  } catch (err) {
    const exitCode = exitCodeOf(err);
    ctx.err.write(`hogwild${name && COMMANDS.some((c) => c.name === name) ? ` ${name}` : ''}: ${oneLine(err)}\n`);
    if (debug && err instanceof Error && err.stack) ctx.err.write(`${err.stack}\n`);
    // -json: the event stream on stdout ends with the error too, so a tool reading it needs no stderr parsing.
    if (rest.includes('-json') || rest.includes('--json')) ctx.out.write(`${JSON.stringify(errorEvent(err, exitCode))}\n`);
    return exitCode;
  }
}
