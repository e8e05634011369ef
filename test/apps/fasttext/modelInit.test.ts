// fastText 0.9.2 draws its input matrix in 10 blocks of elements, one per
// -thread, so only the first min(thread, 10)/10 starts random (the most
// frequent words' rows) and the rest at 0; buildFastTextModel's initThreads
// does the same, and leaves every row random without it.
import { afterAll, expect, test } from 'vitest';

import { buildFastTextModel, FASTTEXT_BLOBS, LocalSession } from '../../../lib/index.js';

const sessions: LocalSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.close();
});

async function inputTable(initThreads?: number): Promise<Float32Array> {
  const ft = buildFastTextModel({ inputRows: 101, dim: 10, labels: 3, lr: 0.1, totalBatches: 10, seed: 3, ...(initThreads === undefined ? {} : { initThreads }) });
  const session = new LocalSession();
  sessions.push(session);
  await session.run(ft.model.paramInitNet);
  return Float32Array.from(session.workspace.fetch(FASTTEXT_BLOBS.input).data as Float32Array);
}

test('initThreads t draws the first t tenths of the input matrix (blocks of floor(1010 / 10) = 101 elements), as fastText does', async () => {
  const all = await inputTable();
  expect(all.every((x) => x !== 0 && Math.abs(x) <= 0.1)).toBe(true);
  for (const [t, drawn] of [[1, 101], [3, 303], [10, 1010], [12, 1010]] as const) {
    const w = await inputTable(t);
    expect(w.length).toBe(1010);
    expect(w.subarray(0, drawn).every((x) => x !== 0 && Math.abs(x) <= 0.1), `t=${t}`).toBe(true);
    expect(w.subarray(drawn).every((x) => x === 0), `t=${t}`).toBe(true);
  }
});

test('initThreads must be a positive integer', () => {
  expect(() => buildFastTextModel({ inputRows: 10, dim: 4, labels: 2, lr: 0.1, totalBatches: 1, initThreads: 0 })).toThrow(/integer >= 1 for initThreads/);
});
