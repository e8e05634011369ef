// A small fastText model for prediction tests, made without training: the
// dictionary of a seeded corpus (word bigrams, so hashed buckets are used too)
// and seeded random parameters, saved as a model file like `hogwild supervised`
// writes. Also the reference scores of the training graph (ReadFastTextFile →
// SparseLengthsMean → FC → Softmax) that predictions must reproduce.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { saveCheckpoint } from '../../../lib/checkpoint/files.js';
import { FASTTEXT_BLOBS, FASTTEXT_MODEL_BLOBS } from '../../../lib/apps/fasttext/FastTextJob.js';
import { FASTTEXT_MODEL_FORMAT } from '../../../lib/apps/fasttext/FastTextModel.js';
import { parseDictionaryRecord } from '../../../lib/apps/fasttext/dictionaryRecord.js';
import { Net } from '../../../lib/net/Net.js';
import { Workspace } from '../../../lib/runtime/Workspace.js';
import { LocalSession } from '../../../lib/session/LocalSession.js';

export const LABELS = ['__label__a', '__label__b', '__label__c', '__label__d'];

/** A deterministic stream of numbers in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `n` lines of 1-3 labels and 3-12 words of a 60-word vocabulary (some unknown to the model). */
export function corpusLines(n: number, seed: number, vocab = 60): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const labels = Array.from({ length: 1 + Math.floor(r() * 3) }, () => LABELS[Math.floor(r() * LABELS.length)]!);
    const words = Array.from({ length: 3 + Math.floor(r() * 10) }, () => `w${Math.floor(r() * vocab)}`);
    out.push([...labels, ...words].join(' '));
  }
  return out;
}

export interface ModelFixture {
  path: string;
  dim: number;
  /** Rows of the input embedding. */
  inputRows: number;
}

/** Writes `<dir>/model.bin`: dictionary of a seeded corpus, random parameters. */
export async function writeModel(dir: string, o: { dim?: number; maxLineBytes?: number; seed?: number } = {}): Promise<ModelFixture> {
  const dim = o.dim ?? 8;
  const train = join(dir, 'train.txt');
  writeFileSync(train, `${corpusLines(300, o.seed ?? 7).join('\n')}\n`);
  const ws = new Workspace();
  try {
    const net = new Net('dict');
    net.op('ReadFastTextFile', [], [FASTTEXT_BLOBS.dictionary, 'l', 'n', 'ids'], {
      path: train,
      word_ngrams: 2,
      bucket: 97,
      max_line_bytes: o.maxLineBytes ?? 1 << 20,
    });
    const session = new LocalSession({ workspace: ws });
    await session.run(net);
    await session.close();
    const info = parseDictionaryRecord(ws.serializeBlob(FASTTEXT_BLOBS.dictionary)!.data as Uint8Array);
    const inputRows = info.nwords + 97;
    const r = rng((o.seed ?? 7) + 1);
    const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => (r() - 0.5) * scale);
    ws.feed(FASTTEXT_BLOBS.input, { shape: [inputRows, dim], data: fill(inputRows * dim, 2) });
    ws.feed(FASTTEXT_BLOBS.output, { shape: [info.labels.length, dim], data: fill(info.labels.length * dim, 4) });
    ws.feed(FASTTEXT_BLOBS.bias, { shape: [info.labels.length], data: fill(info.labels.length, 1) });
    const path = join(dir, 'model.bin');
    await saveCheckpoint(ws, FASTTEXT_MODEL_BLOBS, path, { epoch: 0, node: 'model', meta: { format: FASTTEXT_MODEL_FORMAT, dim: String(dim) } });
    return { path, dim, inputRows };
  } finally {
    ws.dispose();
  }
}
