/**
 * One server per DATA_DIR: the server removes job directories it does not
 * know at start, so a second server on the same directory would delete the
 * first one's running jobs. A `server.pid` file claims the directory; a
 * claim whose process is gone (a crash, a kill -9) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InvalidArgumentError } from 'hogwild';

/** Directories claimed by servers of this process (the pid file cannot tell them apart). */
const claimedHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `dataDir` (absolute) or throws naming the server that holds it; returns the release. */
export function claimDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'server.pid');
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    holder = undefined;
  }
  const busy = claimedHere.has(dataDir) || (holder !== undefined && Number.isInteger(holder) && holder !== process.pid && alive(holder));
  if (busy) {
    throw new InvalidArgumentError(`Expected DATA_DIR to belong to this server but another one (pid ${claimedHere.has(dataDir) ? process.pid : holder}) uses it: set DATA_DIR to another directory`, 'HOGWILD_SERVER_DATA_DIR');
  }
  writeFileSync(file, `${process.pid}\n`);
  claimedHere.add(dataDir);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    claimedHere.delete(dataDir);
    rmSync(file, { force: true });
  };
}
