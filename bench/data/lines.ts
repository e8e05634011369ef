/** Writing generated text corpora: the one chunked line writer of bench/data. */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * Writes `count` lines, `line(i)` each, to `path` in chunks (a corpus is too
 * large for one string), through a temporary file renamed at the end, so an
 * interrupted run leaves no half corpus behind.
 */
export function writeLines(path: string, count: number, line: (i: number) => string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    let chunk: string[] = [];
    for (let i = 0; i < count; i++) {
      chunk.push(line(i));
      if (chunk.length === 4096) {
        writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
