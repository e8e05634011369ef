/**
 * Reads a fastText model file (version 12) from bytes. Every count and size
 * is checked against the bytes that remain before anything is allocated, so a
 * truncated or hostile file is a DataError (code HOGWILD_FASTTEXT_BIN), never a
 * crash or a huge allocation. Quantized models (.ftz) are refused.
 */
import { readFileSync } from 'node:fs';

import { DataError } from '../../../errors/index.js';
import {
  binError,
  FASTTEXT_BIN_ERROR,
  FASTTEXT_BIN_MAGIC,
  FASTTEXT_BIN_VERSION,
  lossName,
  modelName,
  type FastTextBin,
  type FastTextBinArgs,
  type FastTextBinEntry,
  type FastTextMatrix,
} from './format.js';

/** Longest word accepted (fastText itself has no limit; this bounds a hostile file). */
const MAX_WORD_BYTES = 1 << 20;

/** True when `bytes` start with fastText's model-file magic number. */
export function isFastTextBin(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, true) === FASTTEXT_BIN_MAGIC;
}

class Cursor {
  at = 0;
  private readonly _view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly name: string,
  ) {
    this._view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (!(n >= 0) || this.at + n > this.bytes.length) {
      throw binError(this.name, `it ends inside ${what} (byte ${this.at} of ${this.bytes.length}, ${n} more needed)`);
    }
  }
  i32(what: string): number {
    this.need(4, what);
    this.at += 4;
    return this._view.getInt32(this.at - 4, true);
  }
  i64(what: string): bigint {
    this.need(8, what);
    this.at += 8;
    return this._view.getBigInt64(this.at - 8, true);
  }
  f64(what: string): number {
    this.need(8, what);
    this.at += 8;
    return this._view.getFloat64(this.at - 8, true);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.at++]!;
  }
}

function readArgs(c: Cursor): FastTextBinArgs {
  const ints = ['dim', 'ws', 'epoch', 'minCount', 'neg', 'wordNgrams', 'loss', 'model', 'bucket', 'minn', 'maxn', 'lrUpdateRate'].map((k) => c.i32(`the argument ${k}`));
  const [dim, ws, epoch, minCount, neg, wordNgrams, lossId, modelId, bucket, minn, maxn, lrUpdateRate] = ints as [number, number, number, number, number, number, number, number, number, number, number, number];
  const t = c.f64('the argument t');
  const loss = lossName(lossId);
  const model = modelName(modelId);
  if (!loss) throw binError(c.name, `its loss is ${lossId} (expected 1 hs, 2 ns, 3 softmax or 4 ova)`);
  if (!model) throw binError(c.name, `its model is ${modelId} (expected 1 cbow, 2 skipgram or 3 supervised)`);
  if (dim < 1 || dim > 1 << 20) throw binError(c.name, `its dim is ${dim}`);
  if (bucket < 0 || wordNgrams < 1 || minn < 0 || maxn < 0 || maxn > 64) {
    throw binError(c.name, `its arguments are out of range (bucket ${bucket}, wordNgrams ${wordNgrams}, minn ${minn}, maxn ${maxn})`);
  }
  if (bucket === 0 && (wordNgrams > 1 || maxn > 0)) throw binError(c.name, 'it uses n-grams with bucket 0');
  return { dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t };
}

function readEntries(c: Cursor): Pick<FastTextBin, 'entries' | 'nwords' | 'nlabels' | 'ntokens'> {
  const size = c.i32('the dictionary size');
  const nwords = c.i32('the dictionary size');
  const nlabels = c.i32('the dictionary size');
  const ntokens = c.i64('the dictionary size');
  const pruneidxSize = c.i64('the dictionary size');
  // Each entry takes at least 10 bytes (an empty word, its 0, count, type).
  if (size < 0 || nwords < 0 || nlabels < 0 || size !== nwords + nlabels || size * 10 > c.bytes.length - c.at) {
    throw binError(c.name, `its dictionary sizes are inconsistent or larger than the file (size ${size}, nwords ${nwords}, nlabels ${nlabels}, ${c.bytes.length - c.at} bytes left)`);
  }
  if (pruneidxSize !== -1n) throw binError(c.name, 'it is a quantized (pruned) model (.ftz), which hogwild does not read');
  const decoder = new TextDecoder('utf-8');
  const entries: FastTextBinEntry[] = [];
  for (let i = 0; i < size; i++) {
    const end = c.bytes.indexOf(0, c.at);
    if (end < 0 || end - c.at > MAX_WORD_BYTES) throw binError(c.name, `its dictionary entry ${i} has no end`);
    const word = decoder.decode(c.bytes.subarray(c.at, end));
    c.at = end + 1;
    const count = c.i64(`dictionary entry ${i}`);
    const type = c.u8(`dictionary entry ${i}`);
    if (type > 1 || count < 0n) throw binError(c.name, `its dictionary entry ${i} ('${word}') has type ${type}, count ${count}`);
    if ((type === 1) !== i >= nwords) throw binError(c.name, `its dictionary entry ${i} ('${word}') is a ${type === 1 ? 'label' : 'word'} where a ${i >= nwords ? 'label' : 'word'} is expected`);
    entries.push({ word, count, type: type as 0 | 1 });
  }
  return { entries, nwords, nlabels, ntokens };
}

function readMatrix(c: Cursor, which: string): FastTextMatrix {
  if (c.u8(`the ${which} matrix flag`) !== 0) throw binError(c.name, `its ${which} matrix is quantized (.ftz), which hogwild does not read`);
  const rows = c.i64(`the ${which} matrix shape`);
  const cols = c.i64(`the ${which} matrix shape`);
  if (rows < 0n || cols < 1n || rows * cols * 4n > BigInt(c.bytes.length - c.at)) {
    throw binError(c.name, `its ${which} matrix is ${rows} × ${cols} with ${c.bytes.length - c.at} bytes left`);
  }
  const n = Number(rows * cols);
  const offset = c.bytes.byteOffset + c.at;
  let data: Float32Array;
  if (offset % 4 === 0) {
    // A view of the file's bytes: no second copy of a large model.
    data = new Float32Array(c.bytes.buffer, offset, n);
  } else {
    data = new Float32Array(n);
    new Uint8Array(data.buffer).set(c.bytes.subarray(c.at, c.at + n * 4));
  }
  c.at += n * 4;
  return { rows: Number(rows), cols: Number(cols), data };
}

/** Parses a fastText model file's bytes; `name` names it in errors. */
export function parseFastTextBin(bytes: Uint8Array, name = 'the model file'): FastTextBin {
  const c = new Cursor(bytes, name);
  if (c.i32('the signature') !== FASTTEXT_BIN_MAGIC) throw binError(name, 'it does not start with the fastText signature');
  const version = c.i32('the signature');
  if (version !== FASTTEXT_BIN_VERSION) throw binError(name, `its format version is ${version}`);
  const args = readArgs(c);
  const dict = readEntries(c);
  const input = readMatrix(c, 'input');
  const output = readMatrix(c, 'output');
  if (c.at !== bytes.length) throw binError(name, `${bytes.length - c.at} bytes follow the output matrix`);
  const outRows = args.model === 'sup' ? dict.nlabels : dict.nwords;
  if (input.cols !== args.dim || output.cols !== args.dim) throw binError(name, `its matrices have ${input.cols} and ${output.cols} columns for dim ${args.dim}`);
  if (input.rows !== dict.nwords + args.bucket) throw binError(name, `its input matrix has ${input.rows} rows for ${dict.nwords} words + ${args.bucket} buckets`);
  if (output.rows !== outRows) throw binError(name, `its output matrix has ${output.rows} rows for ${outRows} ${args.model === 'sup' ? 'labels' : 'words'}`);
  if (args.model === 'sup' && dict.nlabels < 1) throw binError(name, 'it is a supervised model without labels');
  return { args, ...dict, input, output };
}

/** Reads and parses a fastText model file. */
export function readFastTextBin(path: string): FastTextBin {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') throw new DataError('HOGWILD_IO', `Expected a model file at ${path} but there is none`);
    throw new DataError('HOGWILD_IO', `Could not read the model file ${path}: ${(err as Error).message}`);
  }
  return parseFastTextBin(bytes, path);
}

export { FASTTEXT_BIN_ERROR };
