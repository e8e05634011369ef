/** --help texts, generated from each command's option specs. */
import { COMMON_OPTIONS, type OptionSpecs } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './exitCodes.js';

function optionLines(specs: OptionSpecs, dash: '-' | '--'): string[] {
  const rows = Object.entries(specs).map(([name, s]) => {
    const flag = `${s.short ? `-${s.short}, ` : ''}${dash}${name}${s.type === 'string' ? ` <${s.value ?? 'value'}>` : ''}`;
    return [flag, `${s.description}${s.default !== undefined ? ` [${s.default}]` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`);
}

/** `hogwild <command> --help`. fastText-style commands show single-dash flags. */
export function commandHelp(cmd: Command, dash: '-' | '--' = '--'): string {
  const lines = ['Usage:', ...cmd.usage.map((u) => `  ${u}`), '', 'Options:', ...optionLines({ ...cmd.options, ...COMMON_OPTIONS }, dash)];
  if (cmd.details) lines.push('', cmd.details.trim());
  if (dash === '-') lines.push('', 'Flags may also be written with two dashes (--dim 16, --dim=16).');
  return `${lines.join('\n')}\n`;
}

/** `hogwild --help`. */
export function mainHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `hogwild ${version}: Caffe2-style training Jobs for Node.js (native executor, Hogwild! threads)

Usage: hogwild <command> [options]      hogwild <command> --help

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Start with:  hogwild demo

The fastText commands (supervised, cbow, skipgram, test, predict, predict-prob,
print-word-vectors, print-sentence-vectors, nn, analogies) take fastText's arguments, so a
fastText command line works with the program name changed.

Global options:
  -h, --help     show help (also: hogwild <command> --help)
  --version      print the version
  --debug        print stack traces of errors

Exit status:
  ${EXIT.OK}    success
  ${EXIT.FAILURE}    training or prediction failed while running
  ${EXIT.USAGE}    bad command line (unknown command or option, bad value)
  ${EXIT.INPUT}    bad input: missing, unreadable or malformed file
  ${EXIT.OUTPUT}    cannot write an output (disk full, read-only, permission, failed checkpoint save)
  ${EXIT.BUSY}    the output or checkpoint directory is in use by another run (lock file)
  ${EXIT.DIVERGED}    training diverged (NaN or infinite loss); the last good checkpoint is kept
  ${EXIT.INTERRUPTED}  stopped by Ctrl-C after checkpointing the last finished epoch
  ${EXIT.TERMINATED}  stopped by SIGTERM after checkpointing the last finished epoch
`;
}
