/**
 * The file a reader should open for a user-given path: symbolic links are
 * followed (as fastText and every Unix tool do), and anything that is not a
 * regular file in the end — a FIFO, a socket, a device, a directory — is
 * refused up front with a clear error, since opening a FIFO blocks forever.
 */
import { realpathSync, statSync } from 'node:fs';

import { DataError } from '../errors/index.js';

function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** The real path of `path` when it is (or links to) a regular file; else DataError (code HOGWILD_IO) naming it. */
export function regularFileOf(path: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('HOGWILD_IO', `Expected a ${what} at ${path} but there is none`);
    if (code === 'ELOOP') throw new DataError('HOGWILD_IO', `Expected a ${what} at ${path} but it is a loop of symbolic links`);
    throw new DataError('HOGWILD_IO', `Could not read the ${what} ${path}: ${(err as Error).message}`);
  }
  const st = statSync(real);
  if (!st.isFile()) throw new DataError('HOGWILD_IO', `Expected a regular file for the ${what} ${path} but it is ${kindOf(st)}${real !== path ? ` (${real})` : ''}`);
  return real;
}
