/**
 * Opening the text input of predict and test (a file, or stdin for `-`) as a
 * stream of byte chunks, so it is read while it is scored instead of whole.
 * Chunks are read into one reused buffer (the consumer copies each chunk
 * before asking for the next), so a large input makes no garbage. Errors name
 * the file: missing, a directory, unreadable. Also the training file check of
 * supervised/cbow/skipgram.
 */
import { close, openSync, read, statSync } from 'node:fs';
import { isatty } from 'node:tty';

import { InputError } from './exitCodes.js';

/** Fails with an InputError naming the training file when it is missing or a directory (before any scan starts). */
export function checkTrainingFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new InputError(`cannot read training file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (st.isDirectory()) throw new InputError(`cannot read training file ${path}: it is a directory`);
}

export interface TextInput {
  /** `<stdin>` or the path, for messages. */
  name: string;
  /** Each chunk is valid until the next one is asked for. */
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

function readInto(fd: number, buf: Buffer): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/**
 * Reads `fd` from its current position to its end. A non-blocking stdin
 * (EAGAIN: a parent set O_NONBLOCK) is read through process.stdin instead.
 */
async function* readFd(fd: number, chunkBytes: number, what: string, name: string): AsyncGenerator<Uint8Array> {
  const buf = Buffer.allocUnsafe(chunkBytes);
  for (;;) {
    let n: number;
    try {
      n = await readInto(fd, buf);
    } catch (err) {
      if (fd === 0 && (err as { code?: string }).code === 'EAGAIN') {
        yield* process.stdin;
        return;
      }
      throw cannotRead(what, name, err);
    }
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}

/** Opens `path` now (so a bad path fails before the model loads); reads it in `chunkBytes` pieces. */
export function openTextInput(path: string, what: string, chunkBytes: number): TextInput {
  if (path === '-') {
    // A file or pipe on stdin is read like a file (one reused buffer). A terminal goes through
    // process.stdin, whose reads can be cancelled: after an error, do not wait for a key press.
    if (!isatty(0)) return { name: '<stdin>', chunks: readFd(0, chunkBytes, what, '<stdin>'), close: () => undefined };
    return { name: '<stdin>', chunks: named(process.stdin, what, '<stdin>'), close: () => process.stdin.destroy() };
  }
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new InputError(`cannot read ${what} ${path}: it is a directory`);
    fd = openSync(path, 'r');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw cannotRead(what, path, err);
  }
  let open = true;
  return {
    name: path,
    chunks: readFd(fd, chunkBytes, what, path),
    close: () => {
      if (open) close(fd, () => undefined);
      open = false;
    },
  };
}
