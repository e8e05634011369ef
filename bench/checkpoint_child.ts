/**
 * One hogwild checkpoint load in a fresh process, for bench/checkpoint.ts (the
 * peers load in fresh processes too). Prints {"s": seconds} for the load alone
 * (process start and module loading excluded).
 *
 *   node dist-bench/bench/checkpoint_child.js PATH copy|readOnly
 */
import { loadCheckpoint } from '../lib/checkpoint/index.js';
import { Workspace } from '../lib/runtime/index.js';

const [path, mode] = process.argv.slice(2);
if (!path || (mode !== 'copy' && mode !== 'readOnly')) {
  process.stderr.write('usage: checkpoint_child.js PATH copy|readOnly\n');
  process.exit(2);
}
const ws = new Workspace();
const t0 = performance.now();
const { loaded } = await loadCheckpoint(ws, path, { readOnly: mode === 'readOnly' });
// Every byte was read by the CRC check; fetching would copy into JS memory, which no peer does.
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ s, blobs: loaded.length }));
ws.dispose();
