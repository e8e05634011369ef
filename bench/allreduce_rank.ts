/**
 * One rank of the allreduce benchmark (bench/allreduce.ts starts two): times
 * `iters` Float32 sum-allreduces of `bytes` after warm-up, prints JSON on rank 0.
 */
import { connectFromEnv } from '../lib/distributed/index.js';

const bytes = Number(process.argv[2]);
const iters = Number(process.argv[3]);
const g = await connectFromEnv();
const data = new Float32Array(bytes / 4).fill(g.rank + 1);
for (let i = 0; i < 3; i++) await g.allreduce(data);
await g.barrier();
const t0 = process.hrtime.bigint();
for (let i = 0; i < iters; i++) await g.allreduce(data);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
if (g.rank === 0) process.stdout.write(`${JSON.stringify({ bytes, iters, seconds })}\n`);
g.close();
