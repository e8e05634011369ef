/**
 * The concrete readers of Caffe2's dataio (docs/caffe2.md §7.4): CounterReader,
 * ReaderWithLimit, ReaderWithTimeLimit, ReaderWithDelay and CompositeReader.
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { BlobReference } from '../net/BlobReference.js';
import { Net } from '../net/Net.js';
import { Reader, type ReadNet, type ReadResult } from './Reader.js';
import { Struct, scalar } from './schema.js';

/** Yields 0, 1, 2, … (one int64 per read) and never stops. */
export class CounterReader extends Reader {
  counter: BlobReference | undefined;
  shouldStop: BlobReference | undefined;

  constructor() {
    super(new Struct([['iter', scalar('int64')]]));
  }

  override setupEx(initNet: Net): void {
    if (this.counter === undefined) {
      this.counter = initNet.CreateCounter([], 1, { init_count: 0 });
      this.shouldStop = initNet.ConstantFill([], 1, { shape: [], dtype: 'bool', value: false });
    }
  }

  override readEx(): ReadResult {
    const net = new Net('limited_reader_counter');
    const value = net.CountUp([this.counter!], 1);
    return { nets: [net], shouldStop: this.shouldStop!, fields: [value] };
  }
}

/**
 * A reader that may stop early. `dataFinished()` is a bool blob that becomes
 * true iff the inner reader ran out of data during the task run (stopping on
 * the limit leaves it false). The limit is checked before each read, so a
 * stop never reads a batch it would then drop.
 */
export abstract class ReaderWithLimitBase extends Reader {
  readonly reader: Reader;
  /** @internal the private net that names this reader's blobs */
  protected readonly _net: Net;
  private readonly _dataFinished: BlobReference;

  constructor(reader: Reader) {
    super(reader._schema);
    this.reader = reader;
    this._net = new Net('reader_with_limit');
    this._dataFinished = this._net.nextScopedBlob(this._net.nextName('data_finished'));
  }

  override setupEx(initNet: Net, finishNet: Net): void {
    initNet.ConstantFill([], [this._dataFinished], { shape: [], value: false, dtype: 'bool' });
    this.reader.setupEx(initNet, finishNet);
    this.setupLimiter(initNet, finishNet);
  }

  override readEx(localInitNet: Net, localFinishNet: Net): ReadResult {
    const condition = new Net('limited_reader_condition');
    const shouldStop = this.checkLimiterCondition(condition);
    const inner = this.reader.readEx(localInitNet, localFinishNet);
    this._setSchema(this.reader._schema);
    // Copy into the limit's stop blob: the executor checks it after every net,
    // so a finished inner reader stops the iteration before any later net.
    const post = new Net('limited_reader_post');
    post.Copy(inner.shouldStop, shouldStop);
    post.Or([this._dataFinished, inner.shouldStop], [this._dataFinished]);
    return { nets: [condition, ...inner.nets, post], shouldStop, fields: inner.fields };
  }

  /** Task-level ops the limit needs (a counter, a timer). */
  protected abstract setupLimiter(initNet: Net, finishNet: Net): void;
  /** Ops, run before each read, that output the limit's stop flag. */
  protected abstract checkLimiterCondition(net: Net): BlobReference;

  /** True once the inner reader reported the end of its data. */
  dataFinished(): BlobReference {
    return this._dataFinished;
  }
}

/**
 * Stops after `numIter` reads in total, counted across every thread and
 * instance of the task (one shared counter). `numIter` defaults to 1 as in
 * Caffe2; `null` means no limit (the reader still reports `dataFinished`).
 *
 * @example
 * const limited = new ReaderWithLimit(ds.reader({ batchSize: 64 }), 10_000);
 * job.addStopCondition(limited.dataFinished());
 */
export class ReaderWithLimit extends ReaderWithLimitBase {
  readonly numIter: number | null;
  readonly counter: BlobReference | undefined;

  constructor(reader: Reader, numIter: number | null = 1) {
    super(reader);
    if (numIter !== null && (typeof numIter !== 'number' || !Number.isInteger(numIter))) {
      throw new InvalidArgumentError(`Expected an integer or null for numIter but received ${String(numIter)}`);
    }
    this.numIter = numIter;
    if (numIter !== null) this.counter = this._net.nextScopedBlob(this._net.nextName('counter'));
  }

  protected setupLimiter(initNet: Net): void {
    // A negative count fails when the task runs (CreateCounter rejects it), as in Caffe2.
    if (this.counter) initNet.CreateCounter([], [this.counter], { init_count: this.numIter! });
  }

  protected checkLimiterCondition(net: Net): BlobReference {
    if (this.counter) return net.CountDown([this.counter], 1);
    return net.ConstantFill([], 1, { shape: [], value: false, dtype: 'bool' });
  }
}

/** `new ReaderWithLimit(new CounterReader(), numIter)`. */
export function countUntil(numIter: number): ReaderWithLimit {
  return new ReaderWithLimit(new CounterReader(), numIter);
}

/**
 * Stops once `duration` seconds have passed since the task started, checked
 * before each read. 0 or null: no time limit. (Caffe2 names the stop blob
 * "None"; ours gets a unique name.)
 */
export class ReaderWithTimeLimit extends ReaderWithLimitBase {
  readonly duration: number | null;
  private _timer: BlobReference | undefined;
  private _durationNs: BlobReference | undefined;

  constructor(reader: Reader, duration: number | null = 0) {
    super(reader);
    if (duration !== null && !(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0)) {
      throw new InvalidArgumentError(`Expected a number of seconds >= 0 or null for duration but received ${String(duration)}`);
    }
    this.duration = duration;
  }

  protected setupLimiter(initNet: Net, finishNet: Net): void {
    if (!this.duration) return;
    this._timer = initNet.TimerBegin([], 1, { counter_name: 'epoch_timer' });
    const start = initNet.TimerGet(this._timer);
    this._durationNs = initNet.ConstantFill([start], 1, { value: Math.trunc(this.duration * 1e9), dtype: 'int64' });
    finishNet.TimerEnd([this._timer], []);
  }

  protected checkLimiterCondition(net: Net): BlobReference {
    if (!this.duration) return net.ConstantFill([], 1, { shape: [], value: false, dtype: 'bool' });
    const elapsed = net.TimerGet(this._timer!);
    return net.GE([elapsed, this._durationNs!], net.nextName('time_limit_reached'));
  }
}

/** For tests: sleeps `delay` seconds before each read of `reader`. */
export class ReaderWithDelay extends Reader {
  constructor(
    readonly reader: Reader,
    readonly delay: number,
  ) {
    super(reader._schema);
    if (!(typeof delay === 'number' && Number.isFinite(delay) && delay >= 0)) {
      throw new InvalidArgumentError(`Expected a delay in seconds >= 0 but received ${String(delay)}`);
    }
  }

  override setupEx(initNet: Net, finishNet: Net): void {
    this.reader.setupEx(initNet, finishNet);
  }

  override readEx(): ReadResult {
    const net = new Net('reader_body');
    net.Sleep([], [], { ms: this.delay * 1000 });
    const { shouldStop, fields } = this.reader.read(net);
    return { nets: [net], shouldStop, fields };
  }
}

/**
 * Reads every sub-reader once per iteration; its schema is a struct of the
 * sub-schemas under `names`. Stops as soon as any sub-reader is exhausted.
 */
export class CompositeReader extends Reader {
  constructor(
    readonly names: readonly string[],
    readonly readers: readonly Reader[],
  ) {
    if (names.length !== readers.length || names.length === 0) {
      throw new InvalidArgumentError(`Expected as many names as readers (at least one) but received ${names.length} names and ${readers.length} readers`);
    }
    super(new Struct(names.map((n, i) => [n, readers[i]!.schema()] as const)));
  }

  override setupEx(initNet: Net, finishNet: Net): void {
    for (const r of this.readers) r.setupEx(initNet, finishNet);
  }

  override readEx(localInitNet: Net, localFinishNet: Net): ReadResult {
    const subs = this.readers.map((r) => r.readRecordEx(localInitNet, localFinishNet));
    const fields = subs.flatMap((s) => (s.record ? s.record.fieldBlobs() : s.fields));
    // The last reader's stop blob is the composite's; the others are ORed into it.
    const stop = subs.at(-1)!.shouldStop;
    const nets: ReadNet[] = [];
    subs.forEach((s, i) => {
      nets.push(...s.nets);
      if (s.shouldStop.name === stop.name) return;
      const stopNet = new Net(`${this.names[i]}_stop`);
      stopNet.Or([stop, s.shouldStop], [stop]);
      nets.push(stopNet);
    });
    return { nets, shouldStop: stop, fields };
  }

  override reset(net: Net): void {
    for (const r of this.readers) r.reset(net);
  }
}
