/**
 * File readers for the formats people have: fastText supervised text, CSV of
 * numeric columns, IDX (MNIST / Fashion-MNIST, gzipped or not) and raw
 * little-endian arrays. Each adds one op that reads the file natively (memory
 * mapped, or inflated with the zlib Node already carries) into the field blobs
 * of a Dataset when the net runs, typically in a job's init group. No JS
 * object is ever made per example.
 *
 * @example
 * const train = await FastTextFile.scan('train.txt');          // dictionary size, labels
 * job.initGroup.scope(() => new Task().scope(() => {
 *   const { dataset, dictionary } = train.read(ops.net(), { name: 'train' });
 *   const test = new FastTextFile('test.txt').read(ops.net(), { name: 'test', dictionary });
 * }));
 */
import { captureStack, fromNative, InvalidArgumentError } from '../errors/index.js';
import type { DType } from '../native/coreTypes.js';
import type { FastTextScan, FastTextScanOptions } from '../native/dataTypes.js';
import type { BlobReference } from '../net/BlobReference.js';
import type { Net } from '../net/Net.js';
import { callNative } from '../runtime/errors.js';
import { dataNative } from '../runtime/nativeAreas.js';
import { Dataset } from './Dataset.js';
import { list, scalar, schema, type Struct } from './schema.js';

export type { FastTextScan, FastTextScanOptions };

/**
 * Schema of a fastText dataset: `label` (int32, the line's first label) and
 * `tokens` (lengths + int32 or int64 ids); with `labelSets`, also `labelSet`
 * (every label of the line: lengths + int32 values), for multi-label training.
 */
export function fastTextSchema(indexDtype: 'int32' | 'int64' = 'int32', labelSets = false): Struct {
  return schema({ label: 'int32', tokens: list(indexDtype), ...(labelSets ? { labelSet: list('int32') } : {}) });
}

export interface FastTextReadOptions {
  /** Dataset name, the prefix of its blobs (default 'fasttext'). */
  name?: string;
  /** Encode with this dictionary (the training file's) instead of building one from this file. */
  dictionary?: BlobReference;
  /** Element type of the token ids (default int32). */
  indexDtype?: 'int32' | 'int64';
  /** Threads that parse the file (default: the scan options' `threads`, else 1). */
  threads?: number;
  /**
   * With a dictionary: the dictionary object keeps this encoding, and later
   * runs of the op with the same dictionary share it (no copy) instead of
   * parsing the file again: a file read once per process, reused by every
   * epoch. The encoding is never checkpointed; a dictionary loaded from a
   * checkpoint encodes the file again on its first run.
   */
  once?: boolean;
  /** Also read every label of each line into a `labelSet` field (multi-label training; default false). */
  labelSets?: boolean;
}

/** A fastText supervised file (`__label__x tok tok …` per line). */
export class FastTextFile {
  /** What the scan found (only after FastTextFile.scan()). */
  readonly info: FastTextScan | undefined;

  constructor(
    readonly path: string,
    readonly options: FastTextScanOptions = {},
    info?: FastTextScan,
  ) {
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError(`Expected a file path but received ${String(path)}`);
    this.info = info;
  }

  /** Builds the dictionary now (off the JS thread) to learn its size before the model is built. */
  static async scan(path: string, options: FastTextScanOptions = {}): Promise<FastTextFile> {
    const info = await callNativeAsync(() => dataNative().fastTextScan(path, options));
    return new FastTextFile(path, options, info);
  }

  /**
   * Adds a ReadFastTextFile op to `net`: when it runs, the file is read into a
   * dataset with fields `label`, `tokens:lengths`, `tokens:values` (and
   * `labelSet:lengths`, `labelSet:values` with `labelSets`). Without a
   * `dictionary` the op builds one from this file and returns its blob.
   */
  read(net: Net, options: FastTextReadOptions = {}): { dataset: Dataset; dictionary: BlobReference } {
    const idx = options.indexDtype ?? 'int32';
    if (options.labelSets && this.options.unsupervised) throw new InvalidArgumentError('Expected labelSets without unsupervised: word vectors read no labels');
    const ds = new Dataset(fastTextSchema(idx, options.labelSets ?? false), { name: options.name ?? 'fasttext' });
    const blobs = ds._allocateBlobs(net);
    const o = this.options;
    const args = { ...this._dictionaryArgs(), index_dtype: idx };
    const threads = options.threads ?? o.threads;
    if (options.dictionary) {
      net.op('ReadFastTextFile', [options.dictionary], blobs, {
        path: this.path,
        index_dtype: idx,
        max_line_bytes: o.maxLineBytes,
        threads,
        once: options.once ? 1 : undefined,
      });
      return { dataset: ds, dictionary: options.dictionary };
    }
    if (options.once) throw new InvalidArgumentError('Expected a dictionary with once: true (only the examples are kept between runs)');
    const dict = net.nextScopedBlob(`${ds.name}/dictionary`);
    net.op('ReadFastTextFile', [], [dict, ...blobs], { ...args, threads });
    return { dataset: ds, dictionary: dict };
  }

  /**
   * Adds a BuildFastTextDictionary op to `net`: only the dictionary (fastText's
   * counting and order) is built, on `threads` threads; returns its blob.
   */
  buildDictionary(net: Net, options: { name?: string; threads?: number } = {}): BlobReference {
    const o = this.options;
    const dict = net.nextScopedBlob(`${options.name ?? 'fasttext'}/dictionary`);
    net.op('BuildFastTextDictionary', [], [dict], { ...this._dictionaryArgs(), threads: options.threads ?? o.threads });
    return dict;
  }

  /** The op arguments that define the dictionary (fastText's tokenizer, counts and hashing). */
  private _dictionaryArgs() {
    const o = this.options;
    return {
      path: this.path,
      label_prefix: o.labelPrefix,
      min_count: o.minCount,
      min_count_label: o.minCountLabel,
      word_ngrams: o.wordNgrams,
      bucket: o.bucket,
      minn: o.minn,
      maxn: o.maxn,
      max_line_bytes: o.maxLineBytes,
      skip_invalid: o.skipInvalid === undefined ? undefined : o.skipInvalid ? 1 : 0,
      check_utf8: o.checkUtf8 === undefined ? undefined : o.checkUtf8 ? 1 : 0,
      unsupervised: o.unsupervised ? 1 : undefined,
      pretrained_vectors: o.pretrainedVectors || undefined,
    };
  }
}

export interface CsvReadOptions {
  name?: string;
  delimiter?: string;
  /** true / false; by default a first line with a non-numeric field is a header. */
  hasHeader?: boolean;
  /** The label column by header name… */
  labelColumn?: string;
  /** …or by index (negative from the end; default -1, the last column). */
  labelIndex?: number;
  /** Labels must lie in [0, numClasses). */
  numClasses?: number;
  labelDtype?: 'int32' | 'float32';
  /** Number of feature columns, for the schema's row shape (checked by nothing else). */
  numFeatures?: number;
}

/** Adds a ReadCsvFile op: a dataset with `features` (float32 [N, C-1]) and `label` ([N]). */
export function readCsv(net: Net, path: string, options: CsvReadOptions = {}): Dataset {
  const ds = new Dataset(schema({ features: scalar('float32', options.numFeatures ? [options.numFeatures] : []), label: options.labelDtype ?? 'int32' }), {
    name: options.name ?? 'csv',
  });
  const blobs = ds._allocateBlobs(net);
  net.op('ReadCsvFile', [], blobs, {
    path,
    delimiter: options.delimiter,
    has_header: options.hasHeader === undefined ? undefined : options.hasHeader ? 1 : 0,
    label_column: options.labelColumn,
    label_index: options.labelIndex,
    num_classes: options.numClasses,
    label_dtype: options.labelDtype,
  });
  return ds;
}

export interface IdxReadOptions {
  /** Output type: the file's by default (int8/int16 widen to int32); float32 applies `scale`. */
  dtype?: DType;
  scale?: number;
  /** [N, 28, 28] -> [N, 784]. */
  flatten?: boolean;
  /** Every value must be a class in [0, numClasses) (label files). */
  numClasses?: number;
}

/** Adds a ReadIdxFile op; returns the blob it fills. */
export function readIdx(net: Net, path: string, options: IdxReadOptions = {}, output?: string): BlobReference {
  return net.op('ReadIdxFile', [], output ?? net.nextScopedBlob(net.nextName('idx')), {
    path,
    dtype: options.dtype,
    scale: options.scale,
    flatten: options.flatten === undefined ? undefined : options.flatten ? 1 : 0,
    num_classes: options.numClasses,
  }) as BlobReference;
}

/**
 * A dataset of (`pixels` float32 [N, H*W] scaled to [0, 1], `label` int32)
 * from an MNIST-format pair of IDX files.
 */
export function readMnist(net: Net, imagesPath: string, labelsPath: string, options: { name?: string; numClasses?: number } = {}): Dataset {
  const ds = new Dataset(schema({ pixels: scalar('float32', []), label: 'int32' }), { name: options.name ?? 'mnist' });
  const [pixels, label] = ds._allocateBlobs(net);
  readIdx(net, imagesPath, { dtype: 'float32', scale: 1 / 255, flatten: true }, pixels!.name);
  readIdx(net, labelsPath, { dtype: 'int32', numClasses: options.numClasses ?? 10 }, label!.name);
  return ds;
}

/** Adds a ReadRawArrayFile op (little-endian `dtype`, `shape` with at most one -1); returns its blob. */
export function readRawArray(net: Net, path: string, options: { dtype: DType; shape?: number[]; offset?: number }, output?: string): BlobReference {
  return net.op('ReadRawArrayFile', [], output ?? net.nextScopedBlob(net.nextName('raw')), {
    path,
    dtype: options.dtype,
    shape: options.shape,
    offset: options.offset,
  }) as BlobReference;
}

async function callNativeAsync<T>(fn: () => Promise<T>): Promise<T> {
  const stack = captureStack();
  try {
    return await callNative(fn);
  } catch (err) {
    throw fromNative(err, stack);
  }
}
