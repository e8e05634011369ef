/**
 * A trained word-vectors model as fastText's files: `<prefix>.bin` (fastText's
 * model file, version 12, so `fasttext print-word-vectors` and every hogwild
 * command that reads models take it) and `<prefix>.vec` (the words' vectors as
 * text, as fastText writes it next to its model).
 */
import { open, writeFile } from 'node:fs/promises';

import type { Workspace } from '../../runtime/Workspace.js';
import { entriesOfRecord } from '../fasttext/fastTextBin/convert.js';
import { binError, type FastTextBin } from '../fasttext/fastTextBin/format.js';
import { formatVec } from '../fasttext/fastTextBin/vec.js';
import { serializeFastTextBin } from '../fasttext/fastTextBin/write.js';
import { WORD_VECTORS_BLOBS } from './blobs.js';
import type { WordVectorsJob } from './WordVectorsJob.js';

/** The trained model in `ws` as a fastText model (arguments from the job's options). */
export function wordVectorsBin(ws: Workspace, wv: Pick<WordVectorsJob, 'options'>): FastTextBin {
  const record = ws.serializeBlob(WORD_VECTORS_BLOBS.dictionary);
  if (!record) throw binError('the word-vectors model', 'its dictionary blob is not a dictionary');
  const { entries, ntokens } = entriesOfRecord(record.data as Uint8Array);
  const nwords = entries.filter((e) => e.type === 0).length;
  const input = ws.fetch(WORD_VECTORS_BLOBS.input);
  const output = ws.fetch(WORD_VECTORS_BLOBS.output);
  const o = wv.options;
  const [rows = 0, dim = 0] = input.shape;
  if (output.shape[0] !== nwords || output.shape[1] !== dim) throw binError('the word-vectors model', `its output is ${output.shape.join(' × ')} for ${nwords} words and dim ${dim}`);
  return {
    args: { dim, ws: o.ws, epoch: o.epoch, minCount: o.minCount, neg: o.neg, wordNgrams: 1, loss: 'ns', model: o.model === 'cbow' ? 'cbow' : 'sg', bucket: o.bucket, minn: o.minn, maxn: o.maxn, lrUpdateRate: o.lrUpdateRate, t: o.t },
    entries,
    nwords,
    nlabels: entries.length - nwords,
    ntokens,
    input: { rows, cols: dim, data: input.data as Float32Array },
    output: { rows: nwords, cols: dim, data: output.data as Float32Array },
  };
}

/** A matrix's record in fastText's file: bool quantized = 0, int64 rows, int64 cols (its floats follow). */
function matrixHead(rows: number, cols: number): Buffer {
  const head = Buffer.alloc(17);
  head.writeBigInt64LE(BigInt(rows), 1);
  head.writeBigInt64LE(BigInt(cols), 9);
  return head;
}

/**
 * fastText's model file, written piece by piece: the matrices (hundreds of MB
 * with 2M buckets) go to the file from the workspace's copy, never through one
 * concatenated buffer. The bytes are serializeFastTextBin's.
 */
async function writeBinStreaming(bin: FastTextBin, path: string): Promise<void> {
  const empty = (m: FastTextBin['input']) => ({ rows: 0, cols: m.cols, data: new Float32Array(0) });
  const withoutMatrices = serializeFastTextBin({ ...bin, input: empty(bin.input), output: empty(bin.output) });
  const parts = [
    withoutMatrices.subarray(0, withoutMatrices.length - 2 * 17),
    matrixHead(bin.input.rows, bin.input.cols),
    Buffer.from(bin.input.data.buffer, bin.input.data.byteOffset, bin.input.data.byteLength),
    matrixHead(bin.output.rows, bin.output.cols),
    Buffer.from(bin.output.data.buffer, bin.output.data.byteOffset, bin.output.data.byteLength),
  ];
  const file = await open(path, 'w');
  try {
    for (const part of parts) await file.write(part);
  } finally {
    await file.close();
  }
}

/** Writes `<prefix>.bin` and `<prefix>.vec`; returns the model. */
export async function writeWordVectors(ws: Workspace, wv: Pick<WordVectorsJob, 'options'>, prefix: string): Promise<FastTextBin> {
  const bin = wordVectorsBin(ws, wv);
  await writeBinStreaming(bin, `${prefix}.bin`);
  await writeFile(`${prefix}.vec`, formatVec(bin));
  return bin;
}
