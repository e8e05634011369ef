// Accuracy parity with `fasttext supervised` (same flags, same file) over the
// whole matrix of bench/parity_matrix.ts — lr {0.1, 0.5, 1}, epoch {5, 25},
// dim {16, 100}, three corpus shapes (2/20/200 labels; long/short/medium
// documents; flat/steep frequencies) and -wordNgrams 2 — on reduced corpora
// (400–2 000 documents, 1 000 test documents each; about 40 s on 2 idle cores). At this size an underfit
// cell's P@1 moves by several points with fastText's own seed, so each cell
// may trail fastText by 3 pt plus twice fastText's seed-to-seed change in that
// cell, and the mean gap over the 39 cells by 0.5 pt. (An underfit cell — 400
// two-label lines, lr 0.1, dim 100, 5 epochs — used to trail by 6 pt: fastText
// 0.9.2 starts only the first thread/10 of its input matrix random, the rest
// at 0, and hogwild started every row random. It now does as fastText; the
// cell is within 1 pt.) The full-size run (0.3 pt per cell) is
// `node dist-bench/bench/parity_matrix.js`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, test } from 'vitest';

import { findFasttext, formatRow, parityShapes, runParity, TABLE_HEADER } from '../../bench/parity_matrix.js';

const cache = mkdtempSync(join(tmpdir(), 'hogwild-parity-corpus-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const hasFasttext = findFasttext() !== null;
if (!hasFasttext) console.warn('SKIPPED parity matrix: the fasttext binary is not installed (apt install fasttext)');

test.skipIf(!hasFasttext)('P@1 of hogwild supervised stays with fastText\'s over the reduced matrix', async () => {
  const results = await runParity(parityShapes('reduced'), { threads: 2, cacheDir: cache });
  const table = `${TABLE_HEADER}\n${results.map(formatRow).join('\n')}`;
  const mean = results.reduce((s, r) => s + r.gap, 0) / results.length;
  expect(results.length, table).toBe(39);
  for (const r of results) {
    const bound = 0.03 + 2 * Math.abs(r.fasttext - r.fasttextSeed2);
    expect(r.gap, `${formatRow(r)}\n${table}`).toBeGreaterThanOrEqual(-bound);
  }
  expect(mean, `mean gap ${mean}\n${table}`).toBeGreaterThanOrEqual(-0.005);
}, 300_000);
