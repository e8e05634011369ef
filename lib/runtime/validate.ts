/**
 * Argument checks with one message grammar (sharp's `lib/is.mjs`):
 * "Expected <what> for <name> but received <value> of type <type>".
 * The native side re-checks everything with the same wording.
 */
import { type HogwildError, InvalidArgumentError, PlanError, ShapeError } from '../errors/index.js';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'Array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}

/** "'abc' of type string", "NaN of type number", "undefined", "a value of type Array". */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}...` : value}' of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} of type ${typeof value}`;
  }
  return `a value of type ${typeName(value)}`;
}

/** The error for a bad value; `code` picks the class the native side would use for it. */
export function expected(what: string, name: string, value: unknown, code = 'HOGWILD_INVALID_ARGUMENT'): HogwildError {
  const message = `Expected ${what} for ${name} but received ${describeValue(value)}`;
  if (code === 'HOGWILD_SHAPE_MISMATCH' || code === 'HOGWILD_DTYPE_MISMATCH') return new ShapeError(code, message);
  if (code === 'HOGWILD_INVALID_PLAN') return new PlanError(code, message);
  return new InvalidArgumentError(message, code);
}

export function checkString(value: unknown, name: string, { nonEmpty = false } = {}): string {
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
    throw expected(nonEmpty ? 'a non-empty string' : 'a string', name, value);
  }
  return value;
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw expected('a boolean', name, value);
  return value;
}

export function checkInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw expected(`an integer in [${min}, ${max}]`, name, value);
  }
  return value;
}

export function checkArray(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) throw expected('an array', name, value);
  return value;
}

export function checkStrings(value: unknown, name: string): string[] {
  return checkArray(value, name).map((v, i) => checkString(v, `${name}[${i}]`));
}

export function checkObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw expected('an object', name, value);
  return value as Record<string, unknown>;
}

export function checkFunction(value: unknown, name: string): (...args: never[]) => unknown {
  if (typeof value !== 'function') throw expected('a function', name, value);
  return value as (...args: never[]) => unknown;
}

/**
 * A plain options object with only `allowed` keys (an undefined value counts
 * as absent). Anything else — a class instance such as a Net or `ops` passed
 * where options go, an unknown or misspelled key — is an InvalidArgumentError
 * naming the key, so API misuse fails where it is made.
 */
export function checkOptions<T extends object>(value: T | undefined, name: string, allowed: readonly string[]): T {
  if (value === undefined) return {} as T;
  const proto = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (proto !== Object.prototype && proto !== null)) {
    throw expected(`an options object ({ ${allowed.join(', ')} })`, name, value);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key) && (value as Record<string, unknown>)[key] !== undefined) {
      throw new InvalidArgumentError(`Expected only the keys ${allowed.join(', ')} in ${name} but received the unknown key '${key}'`);
    }
  }
  return value;
}

/** `undefined`, or checkInteger. */
export function checkOptionalInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  return value === undefined ? undefined : checkInteger(value, name, min, max);
}

/**
 * Throws InvalidArgumentError unless `name` is a node name that stays a plain
 * file name (node names become checkpoint file names): not empty, '.' or
 * '..', no '/', '\\', NUL or control characters, valid Unicode, at most 200
 * UTF-8 bytes. Returns the name.
 */
export function checkNodeName(name: unknown, argName = 'nodeName'): string {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(
      `Expected a node name that stays inside the checkpoint directory (${why}) for ${argName} but received ${describeValue(name)}`,
    );
  };
  if (typeof name !== 'string') return bad('a string');
  if (name.length === 0) bad('not empty');
  if (name === '.' || name === '..') bad("not '.' or '..'");
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f\u007f]/u.test(name)) bad("no '/', '\\\\', NUL or control characters");
  if (/[\ud800-\udfff]/u.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/gu, ''))) bad('valid Unicode');
  if (Buffer.byteLength(name, 'utf8') > 200) bad('at most 200 bytes');
  return name;
}
