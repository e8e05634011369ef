/**
 * A trained word-vectors model as fastText's files: `<prefix>.bin` (fastText's
 * model file, version 12, so `fasttext print-word-vectors` and every hogwild
 * command that reads models take it) and `<prefix>.vec` (the words' vectors as
 * text, as fastText writes it next to its model).
 */
import { writeFile } from 'node:fs/promises';

import type { Workspace } from '../../runtime/Workspace.js';
import { entriesOfRecord } from '../fasttext/fastTextBin/convert.js';
import { binError, type FastTextBin } from '../fasttext/fastTextBin/format.js';
import { formatVec } from '../fasttext/fastTextBin/vec.js';
import { writeFastTextBin } from '../fasttext/fastTextBin/write.js';
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

/** Writes `<prefix>.bin` and `<prefix>.vec`; returns the model. */
export async function writeWordVectors(ws: Workspace, wv: Pick<WordVectorsJob, 'options'>, prefix: string): Promise<FastTextBin> {
  const bin = wordVectorsBin(ws, wv);
  await writeFastTextBin(bin, `${prefix}.bin`);
  await writeFile(`${prefix}.vec`, formatVec(bin));
  return bin;
}
