/**
 * Command-line parsing on node:util parseArgs, with fastText's spelling
 * accepted too: `-input train.txt` is `--input train.txt`, so a fastText
 * command line works after changing the program name. Single-letter flags
 * (`-h`) stay short options. A value may start with '-' (`-lr -1` is parsed,
 * then refused by the range check, instead of being taken for a flag).
 */
import { parseArgs } from 'node:util';

import { UsageError } from './exitCodes.js';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help. */
  description: string;
  /** Value name in --help (`-dim <int>`). */
  value?: string;
  /** Default shown in --help. */
  default?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Options every command takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  debug: { type: 'boolean', description: 'print stack traces of errors' },
};

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses `argv` (after the command name) against `specs`; throws UsageError with one clear line. */
export function parseCommandArgs(command: string, argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const all = { ...COMMON_OPTIONS, ...specs };
  const normalized: string[] = [];
  const spelled = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      normalized.push(...argv.slice(i));
      break;
    }
    const m = /^(-{1,2})([A-Za-z][A-Za-z0-9-]*)(=(.*))?$/s.exec(arg);
    if (!m || (m[1] === '-' && m[2]!.length === 1)) {
      normalized.push(arg);
      continue;
    }
    const name = m[2]!;
    spelled.set(name, arg.split('=')[0]!);
    const spec = all[name];
    if (spec?.type === 'string' && m[3] === undefined && i + 1 < argv.length) {
      normalized.push(`--${name}=${argv[++i]}`);
    } else {
      normalized.push(`--${name}${m[3] ?? ''}`);
    }
  }
  const options = Object.fromEntries(
    Object.entries(all).map(([name, s]) => [name, { type: s.type, ...(s.short ? { short: s.short } : {}) }]),
  ) as Record<string, { type: 'string' | 'boolean'; short?: string }>;
  try {
    const { values, positionals } = parseArgs({ args: normalized, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const e = err as { code?: string; message: string };
    const name = /'-{1,2}([^' =<]+)/.exec(e.message)?.[1];
    const shown = (name && spelled.get(name)) ?? (name ? `--${name}` : '');
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${shown}' for 'hogwild ${command}' (see hogwild ${command} --help)`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const spec = name ? all[name] : undefined;
      throw new UsageError(spec?.type === 'boolean' ? `option '${shown}' takes no value` : `option '${shown}' needs a value (see hogwild ${command} --help)`);
    }
    throw new UsageError(e.message.split('\n')[0]!);
  }
}

/** Reads an integer option in [min, max]; undefined when absent. */
export function intOption(values: ParsedArgs['values'], name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`expected an integer${max === Number.MAX_SAFE_INTEGER ? ` >= ${min}` : ` in [${min}, ${max}]`} for -${name} but received '${String(v)}'`);
  }
  return n;
}

/** Reads a finite number option in [min, max]; undefined when absent. */
export function numberOption(values: ParsedArgs['values'], name: string, min: number, max = Infinity, exclusiveMin = false): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < min || (exclusiveMin && n === min) || n > max) {
    const range = max === Infinity ? `${exclusiveMin ? '>' : '>='} ${min}` : `in [${min}, ${max}]`;
    throw new UsageError(`expected a number ${range} for -${name} but received '${String(v)}'`);
  }
  return n;
}

/** Reads a positional integer (like `k` of `hogwild test model file k`). */
export function intPositional(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`expected an integer >= ${min} for ${what} but received '${value}'`);
  return n;
}
