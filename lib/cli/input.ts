/**
 * Opening the text input of predict and test (a file, or stdin for `-`) as a
 * stream of byte chunks, so it is read while it is scored instead of whole.
 * Errors name the file: missing, a directory, unreadable.
 */
import { createReadStream, openSync, statSync } from 'node:fs';

import { InputError } from './exitCodes.js';

export interface TextInput {
  /** `<stdin>` or the path, for messages. */
  name: string;
  chunks: AsyncIterable<Uint8Array>;
  /** Releases the file (not stdin); safe to call twice. */
  close(): void;
}

function cannotRead(what: string, path: string, err: unknown): InputError {
  const code = (err as { code?: string }).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
  return new InputError(`cannot read ${what} ${path}: ${why}`, { cause: err });
}

/** Reading errors in the middle of a stream, named like opening errors. */
async function* named(chunks: AsyncIterable<Uint8Array>, what: string, path: string): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks;
  } catch (err) {
    throw cannotRead(what, path, err);
  }
}

/** Opens `path` now (so a bad path fails before the model loads); reads it in `chunkBytes` pieces. */
export function openTextInput(path: string, what: string, chunkBytes: number): TextInput {
  if (path === '-') return { name: '<stdin>', chunks: named(process.stdin, what, '<stdin>'), close: () => undefined };
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new InputError(`cannot read ${what} ${path}: it is a directory`);
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw cannotRead(what, path, err);
  }
  const stream = createReadStream(path, { fd, highWaterMark: chunkBytes, autoClose: true });
  // destroy() closes the descriptor (autoClose), read or not.
  return { name: path, chunks: named(stream, what, path), close: () => stream.destroy() };
}
