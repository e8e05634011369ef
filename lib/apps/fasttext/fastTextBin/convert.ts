/**
 * Moves a supervised model between fastText's model file and hogwild's model
 * blobs (the dictionary record, input rows, output rows and output bias).
 *
 * fastText has no output bias; a hogwild model whose bias is not zero is
 * written with one more dimension: every input row gets a 1 there (so the
 * mean of any line's rows has a 1 there too) and every output row gets its
 * bias there, which gives the same scores. The arguments fastText saves but
 * hogwild does not use (ws, epoch, neg, lrUpdateRate, t…) travel in the
 * hogwild model's `fasttextArgs` metadata, so fastText → hogwild → fastText
 * gives back the same file.
 */
import type { Workspace } from '../../../runtime/Workspace.js';
import { InvalidArgumentError } from '../../../errors/index.js';
import { FASTTEXT_BLOBS } from '../FastTextJob.js';
import { parseDictionaryRecord, type DictionaryInfo } from '../dictionaryRecord.js';
import { binError, FASTTEXT_BIN_ERROR, LOSS_IDS, type FastTextBin, type FastTextBinArgs, type FastTextBinEntry } from './format.js';

/** Native kind of the dictionary blob. */
const DICTIONARY_KIND = 'fastTextDictionary';
/** Metadata key holding fastText's saved arguments as JSON. */
export const FASTTEXT_ARGS_META = 'fasttextArgs';
/** fastText's defaults for `supervised`, for the arguments a hogwild model does not record. */
const SUPERVISED_DEFAULTS: FastTextBinArgs = { dim: 100, ws: 5, epoch: 5, minCount: 1, neg: 5, wordNgrams: 1, loss: 'softmax', model: 'sup', bucket: 0, minn: 0, maxn: 0, lrUpdateRate: 100, t: 1e-4 };
const LABEL_PREFIX = '__label__';

/** The hogwild dictionary record (HWFD version 1) of a fastText model's dictionary. */
export function dictionaryRecordOf(bin: FastTextBin, labelPrefix = LABEL_PREFIX): Uint8Array {
  const enc = new TextEncoder();
  const words = bin.entries.map((e) => enc.encode(e.word));
  const prefix = enc.encode(labelPrefix);
  const size = 4 + 4 + 4 + prefix.length + 7 * 8 + 2 + 8 + 4 + words.reduce((s, w) => s + 4 + w.length + 9, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u32 = (v: number) => (view.setUint32(at, v, true), (at += 4));
  const i64 = (v: bigint) => (view.setBigInt64(at, v, true), (at += 8));
  const bytes = (b: Uint8Array) => (out.set(b, at), (at += b.length));
  bytes(enc.encode('HWFD'));
  u32(1);
  u32(prefix.length);
  bytes(prefix);
  const { minCount, wordNgrams, bucket, minn, maxn } = bin.args;
  // minCountLabel is not saved by fastText; its dictionary is already thresholded.
  for (const v of [minCount, 0, wordNgrams, bucket, minn, maxn, 1 << 20]) i64(BigInt(v));
  out[at++] = 0; // skipInvalid
  out[at++] = 1; // checkUtf8
  i64(bin.ntokens);
  u32(bin.entries.length);
  bin.entries.forEach((e, i) => {
    u32(words[i]!.length);
    bytes(words[i]!);
    i64(e.count);
    out[at++] = e.type;
  });
  return out;
}

/** Entries and token count of a hogwild dictionary record. */
export function entriesOfRecord(bytes: Uint8Array): { entries: FastTextBinEntry[]; ntokens: bigint } {
  const info = parseDictionaryRecord(bytes); // validates the layout
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  at += 4 + view.getUint32(at, true) + 7 * 8 + 2;
  const ntokens = view.getBigInt64(at, true);
  at += 8;
  const n = view.getUint32(at, true);
  at += 4;
  const dec = new TextDecoder('utf-8');
  const entries: FastTextBinEntry[] = [];
  for (let i = 0; i < n; i++) {
    const len = view.getUint32(at, true);
    const word = dec.decode(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
    entries.push({ word, count: view.getBigInt64(at, true), type: bytes[at + 8] === 1 ? 1 : 0 });
    at += 9;
  }
  if (entries.length !== info.nwords + info.labels.length) throw binError('the hogwild dictionary', 'its entries do not add up');
  return { entries, ntokens };
}

/** Puts a supervised fastText model into `ws` as hogwild's model blobs (zero bias; only the dictionary with `dictionaryOnly`); returns its dictionary. */
export function fastTextBinToWorkspace(bin: FastTextBin, ws: Workspace, name = 'the model file', options: { dictionaryOnly?: boolean } = {}): DictionaryInfo {
  if (bin.args.model !== 'sup') {
    throw new InvalidArgumentError(`Expected a supervised fastText model in ${name} but it is a ${bin.args.model === 'sg' ? 'skipgram' : 'cbow'} model (word vectors)`, FASTTEXT_BIN_ERROR);
  }
  if (bin.args.wordNgrams > 64 || bin.args.bucket > 1 << 30) throw binError(name, `its wordNgrams ${bin.args.wordNgrams} or bucket ${bin.args.bucket} is beyond what hogwild supports (64, 2^30)`);
  const record = dictionaryRecordOf(bin);
  ws.deserializeBlob(FASTTEXT_BLOBS.dictionary, DICTIONARY_KIND, { dtype: 'uint8', shape: [record.length], data: record });
  if (options.dictionaryOnly) return parseDictionaryRecord(record);
  ws.feed(FASTTEXT_BLOBS.input, { dtype: 'float32', shape: [bin.input.rows, bin.input.cols], data: bin.input.data });
  ws.feed(FASTTEXT_BLOBS.output, { dtype: 'float32', shape: [bin.output.rows, bin.output.cols], data: bin.output.data });
  ws.feed(FASTTEXT_BLOBS.bias, { dtype: 'float32', shape: [bin.output.rows], data: new Float32Array(bin.output.rows) });
  return parseDictionaryRecord(record);
}

/** The hogwild model metadata that records a fastText model's arguments. */
export function metaOfFastTextBin(bin: FastTextBin): Record<string, string> {
  return { dim: String(bin.args.dim), loss: bin.args.loss, wordNgrams: String(bin.args.wordNgrams), [FASTTEXT_ARGS_META]: JSON.stringify(bin.args) };
}

function argsOf(meta: Readonly<Record<string, string>>, dict: DictionaryInfo, dim: number): FastTextBinArgs {
  let saved: Partial<FastTextBinArgs> = {};
  if (meta[FASTTEXT_ARGS_META] !== undefined) {
    try {
      saved = JSON.parse(meta[FASTTEXT_ARGS_META]) as Partial<FastTextBinArgs>;
    } catch {
      throw binError('the hogwild model', `its ${FASTTEXT_ARGS_META} metadata is not JSON`);
    }
  }
  const loss = (meta.loss ?? 'softmax') as FastTextBinArgs['loss'];
  if (!(loss in LOSS_IDS)) throw new InvalidArgumentError(`Expected a model trained with loss softmax, hs, ns or ova but it was trained with loss ${loss}`, FASTTEXT_BIN_ERROR);
  // A model hogwild trained records its -neg (fastText saves it; ns predictions do not use it).
  const neg = meta.neg !== undefined && saved.neg === undefined ? Number(meta.neg) : (saved.neg ?? SUPERVISED_DEFAULTS.neg);
  if (!Number.isInteger(neg) || neg < 0) throw binError('the hogwild model', `its neg metadata ${String(meta.neg)} is not a count`);
  // What the dictionary says wins: it is what the input rows were made with.
  return { ...SUPERVISED_DEFAULTS, ...saved, dim, loss, neg, model: 'sup', minCount: dict.minCount, wordNgrams: dict.wordNgrams, minn: dict.minn, maxn: dict.maxn, bucket: saved.bucket ?? dict.bucket };
}

/** hogwild's model blobs in `ws` (and its metadata) as a fastText model (`dropBias`: without the bias dimension, for word vectors). */
export function fastTextBinFromWorkspace(ws: Workspace, meta: Readonly<Record<string, string>> = {}, options: { dropBias?: boolean } = {}): FastTextBin {
  const record = ws.serializeBlob(FASTTEXT_BLOBS.dictionary);
  if (!record) throw binError('the hogwild model', 'its dictionary blob is not a dictionary');
  const bytes = record.data as Uint8Array;
  const dict = parseDictionaryRecord(bytes);
  const { entries, ntokens } = entriesOfRecord(bytes);
  const input = ws.fetch(FASTTEXT_BLOBS.input);
  const output = ws.fetch(FASTTEXT_BLOBS.output);
  const bias = ws.fetch(FASTTEXT_BLOBS.bias).data as Float32Array;
  const [rows = 0, dim = 0] = input.shape;
  const nlabels = dict.labels.length;
  if (output.shape[0] !== nlabels || output.shape[1] !== dim || bias.length !== nlabels) {
    throw binError('the hogwild model', `its output is ${output.shape.join(' × ')} (bias ${bias.length}) for ${nlabels} labels and dim ${dim}`);
  }
  const args = argsOf(meta, dict, dim);
  if (rows !== dict.nwords + args.bucket) throw binError('the hogwild model', `its input has ${rows} rows for ${dict.nwords} words + ${args.bucket} buckets`);
  const inData = input.data as Float32Array;
  const outData = output.data as Float32Array;
  if (options.dropBias || bias.every((b) => b === 0)) {
    return { args, entries, nwords: dict.nwords, nlabels, ntokens, input: { rows, cols: dim, data: inData }, output: { rows: nlabels, cols: dim, data: outData } };
  }
  const d = dim + 1;
  const wideIn = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    wideIn.set(inData.subarray(r * dim, (r + 1) * dim), r * d);
    wideIn[r * d + dim] = 1;
  }
  const wideOut = new Float32Array(nlabels * d);
  for (let r = 0; r < nlabels; r++) {
    wideOut.set(outData.subarray(r * dim, (r + 1) * dim), r * d);
    wideOut[r * d + dim] = bias[r]!;
  }
  return { args: { ...args, dim: d }, entries, nwords: dict.nwords, nlabels, ntokens, input: { rows, cols: d, data: wideIn }, output: { rows: nlabels, cols: d, data: wideOut } };
}
