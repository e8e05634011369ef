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
  lines: number;
  /** Lines kept as examples. */
  examples: number;
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

export interface DataBinding {
  /** Builds a fastText dictionary from `path` off the JS thread and counts its examples. */
  fastTextScan(path: string, options?: FastTextScanOptions): Promise<FastTextScan>;
  /** Whether gzip input can be read (zlib found in the process). */
  gzipAvailable(): boolean;
  /** Creates a queue in a workspace blob now (no plan may be running there). */
  createQueue(ws: NativeWorkspace, blob: string, options: { capacity: number; numBlobs: number; fieldNames?: string[] }): NativeQueue;
  /** The queue a plan created in `blob`. */
  openQueue(ws: NativeWorkspace, blob: string): NativeQueue;
}
