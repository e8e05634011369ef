/**
 * Writes a fastText model file (version 12), byte for byte what fastText 0.9
 * writes for the same arguments, dictionary and matrices, so `fasttext
 * predict`/`test` read it as one of their own.
 */
import { writeFile } from 'node:fs/promises';

import { FASTTEXT_BIN_MAGIC, FASTTEXT_BIN_VERSION, LOSS_IDS, MODEL_IDS, binError, type FastTextBin } from './format.js';

/** The bytes of `bin` as a fastText model file. */
export function serializeFastTextBin(bin: FastTextBin): Buffer {
  const { args, entries } = bin;
  if (entries.length !== bin.nwords + bin.nlabels) throw binError('the model to write', `it has ${entries.length} entries for ${bin.nwords} words + ${bin.nlabels} labels`);
  if (bin.input.data.length !== bin.input.rows * bin.input.cols || bin.output.data.length !== bin.output.rows * bin.output.cols) {
    throw binError('the model to write', 'a matrix has the wrong number of values');
  }
  const words = entries.map((e) => Buffer.from(e.word, 'utf8'));
  if (words.some((w) => w.includes(0))) throw binError('the model to write', 'a word contains a NUL byte');
  const head = Buffer.alloc(8 + 56 + 28);
  let at = 0;
  const i32 = (v: number) => (at = head.writeInt32LE(v, at));
  i32(FASTTEXT_BIN_MAGIC);
  i32(FASTTEXT_BIN_VERSION);
  for (const v of [args.dim, args.ws, args.epoch, args.minCount, args.neg, args.wordNgrams, LOSS_IDS[args.loss], MODEL_IDS[args.model], args.bucket, args.minn, args.maxn, args.lrUpdateRate]) i32(v);
  at = head.writeDoubleLE(args.t, at);
  i32(entries.length);
  i32(bin.nwords);
  i32(bin.nlabels);
  at = head.writeBigInt64LE(bin.ntokens, at);
  head.writeBigInt64LE(-1n, at); // pruneidx_size: not pruned
  const parts: Buffer[] = [head];
  for (let i = 0; i < entries.length; i++) {
    const tail = Buffer.alloc(10);
    tail.writeBigInt64LE(entries[i]!.count, 1);
    tail[9] = entries[i]!.type;
    parts.push(words[i]!, tail);
  }
  for (const m of [bin.input, bin.output]) {
    const shape = Buffer.alloc(17); // bool quantized = 0, int64 rows, int64 cols
    shape.writeBigInt64LE(BigInt(m.rows), 1);
    shape.writeBigInt64LE(BigInt(m.cols), 9);
    parts.push(shape, Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  }
  return Buffer.concat(parts);
}

/** Writes `bin` to `path` as a fastText model file. */
export async function writeFastTextBin(bin: FastTextBin, path: string): Promise<void> {
  await writeFile(path, serializeFastTextBin(bin));
}
