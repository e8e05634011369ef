/**
 * Types of the data part of the native surface: fastText dictionary scans and
 * handles on native queues fed from JS.
 */
import type { NativeWorkspace, TensorData } from './coreTypes.js';

/** Options of the fastText tokenizer and dictionary (fastText's own names and defaults). */
export interface FastTextScanOptions {
  labelPrefix?: string;
  minCount?: number;
  minCountLabel?: number;
  wordNgrams?: number;
  bucket?: number;
  minn?: number;
  maxn?: number;
  maxLineBytes?: number;
  skipInvalid?: boolean;
  checkUtf8?: boolean;
  /**
   * Word vectors (cbow, skipgram): no label is required and the file encodes
   * as word ids only, in pieces of at most 1025 known tokens per line (an
   * "example" is one piece; `tokens` and `ids` count its word ids). Default false.
   */
  unsupervised?: boolean;
  /** Supervised: a .vec file whose words join the dictionary after the count threshold, as fastText's -pretrainedVectors. */
  pretrainedVectors?: string;
  /** Threads that parse the file (line-aligned byte ranges; the result is the same). Default 1. */
  threads?: number;
  /**
   * scan() only: keep the dictionary and the encoded file in memory for the
   * first BuildFastTextDictionary of the same file and options in this
   * process (then the training run parses its file once). Default false.
   */
  retain?: boolean;
}

/** What a dictionary scan of a training file found. */
export interface FastTextScan {
  /** Words in the dictionary (including "</s>"). */
  nwords: number;
  nlabels: number;
  /** Hash buckets for n-grams (0 without n-grams). */
  bucket: number;
  /** Rows of the input embedding: nwords + bucket. */
  inputRows: number;
  /** Tokens counted by the dictionary (words, labels and "</s>"). */
  ntokens: number;
  /** Label strings by index (most frequent first). */
  labels: string[];
  /** Occurrences of each label in the file, by index (what fastText's hs tree and ns table are built from). */
  labelCounts: number[];
  lines: number;
  /** Lines kept as examples. */
  examples: number;
  /** Kept lines with more than one known label (fastText trains them on a random one, or on all with ova). */
  multiLabelExamples: number;
  skipped: number;
  /** Word tokens of the kept lines (no labels, no "</s>"). */
  tokens: number;
  /** Input ids of the kept lines (words, "</s>", n-grams). */
  ids: number;
}

export type QueuePush = 'ok' | 'full' | 'closed';

/** A native bounded queue, fed from the JS thread without blocking it. */
export interface NativeQueue {
  readonly name: string;
  readonly capacity: number;
  readonly numBlobs: number;
  readonly closed: boolean;
  readonly size: number;
  /** Copies one record in (one tensor per field); never blocks. */
  tryEnqueue(fields: TensorData[]): QueuePush;
  /** Resolves once the queue has room or is closed. */
  waitWritable(): Promise<void>;
  close(): void;
  /** Closes the queue with an error: the plan's next dequeue fails with HOGWILD_DATA and `message`. */
  fail(message: string): void;
}

/** A partition's columns copied into native memory (the partitioned reader's cache). */
export interface NativeCachedPartition {
  /** Opaque handle for feedCachedPartition(). */
  readonly handle: object;
  /** Native bytes it holds. */
  readonly bytes: number;
}

/** One column of a cached partition: a scalar column ([rows, ...shape]) or a list column. */
export type NativeCachedColumn = { data: TensorData } | { lengths: TensorData; values: TensorData };

export interface DataBinding {
  /** Copies a decoded partition into native memory; `names` name the columns (for messages). */
  cachePartition(rows: number, columns: NativeCachedColumn[], names: string[]): NativeCachedPartition;
  /** The queue in `blob`, held for feedCachedPartition() (no plan may be running). */
  queueFeeder(ws: NativeWorkspace, blob: string): object;
  /** Records dequeued from a feeder's queue since it was made. */
  queueDequeued(feeder: object): number;
  /**
   * Enqueues rows [fromRow, rows) of a cached partition in batches of
   * `batchSize` from a worker thread, blocking there while the queue is full;
   * resolves with the batches enqueued (fewer when the queue closed).
   */
  feedCachedPartition(feeder: object, partition: object, fromRow: number, batchSize: number): Promise<number>;
  /** Builds a fastText dictionary from `path` off the JS thread and counts its examples. */
  fastTextScan(path: string, options?: FastTextScanOptions): Promise<FastTextScan>;
  /** Whether gzip input can be read (zlib found in the process). */
  gzipAvailable(): boolean;
  /** Creates a queue in a workspace blob now (no plan may be running there). */
  createQueue(ws: NativeWorkspace, blob: string, options: { capacity: number; numBlobs: number; fieldNames?: string[] }): NativeQueue;
  /** The queue a plan created in `blob`. */
  openQueue(ws: NativeWorkspace, blob: string): NativeQueue;
}
