/**
 * Reading a text file (or stdin, `-`) as lines for predict and test, with one
 * clear error for a missing file or bytes that are not UTF-8.
 */
import { readFileSync, statSync } from 'node:fs';

import { InputError } from './exitCodes.js';

/** Reads all of stdin. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Reads `path` (`-`: stdin); throws InputError naming the file (and line) when it cannot. */
export async function readBytes(path: string, what = 'input file'): Promise<Buffer> {
  if (path === '-') return readStdin();
  try {
    if (statSync(path).isDirectory()) throw new InputError(`cannot read ${what} ${path}: it is a directory`);
    return readFileSync(path);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(`cannot read ${what} ${path}: ${why}`, { cause: err });
  }
}

/** The lines of a UTF-8 text (a last '\n' ends the last line; it does not start an empty one). */
export function decodeLines(bytes: Buffer, path: string): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the first bad line to name it.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
        } catch {
          break;
        }
        line++;
        start = i + 1;
      }
    }
    throw new InputError(`${path === '-' ? '<stdin>' : path}:${line}: invalid UTF-8 (fastText files are UTF-8 text)`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export async function readLines(path: string, what?: string): Promise<string[]> {
  return decodeLines(await readBytes(path, what), path);
}
