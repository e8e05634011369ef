/**
 * Readers and writers (docs/caffe2.md §7.1–7.2). A reader does not read anything
 * itself: it adds ops to nets (a cursor read, a dequeue, a counter) that the
 * native executor runs, many threads at once. Every reader must therefore be
 * safe to read from several task instances concurrently.
 */
import { ContextError } from '../errors/index.js';
import type { BlobReference } from '../net/BlobReference.js';
import { executionStep, ExecutionStep } from '../net/ExecutionStep.js';
import { Net } from '../net/Net.js';
import { BlobRecord, type Field } from './schema.js';

/** A net or a step run on every read (processors may build loops or conditionals). */
export type ReadNet = Net | ExecutionStep;

/** What `readEx` builds: nets to run in order, the stop flag they set, and the fields read. */
export interface ReadResult {
  nets: ReadNet[];
  shouldStop: BlobReference;
  fields: BlobReference[];
}

/** `readRecordEx`: as ReadResult, with the fields as a record when the reader has a schema. */
export interface ReadRecordResult {
  nets: ReadNet[];
  shouldStop: BlobReference;
  record: BlobRecord | undefined;
  fields: BlobReference[];
}

export abstract class Reader {
  /** @internal */
  _schema: Field | undefined;

  constructor(schemaField?: Field) {
    this._schema = schemaField;
  }

  /** The schema of what this reader yields. */
  schema(): Field {
    if (!this._schema) throw new ContextError('HOGWILD_INVALID_ARGUMENT', 'Expected a schema for this reader but none was provided');
    return this._schema;
  }

  /** @internal */
  _setSchema(s: Field | undefined): void {
    this._schema = s;
  }

  /** Task-level setup: ops run once before all instances (`initNet`) and once after (`finishNet`). */
  setupEx(_initNet: Net, _finishNet: Net): void {
    // nothing by default
  }

  /**
   * Per-instance read: nets run on every iteration (in order), the stop flag,
   * and the fields. The default wraps `read()` in a 'reader_body' net.
   */
  readEx(_localInitNet: Net, _localFinishNet: Net): ReadResult {
    const net = new Net('reader_body');
    const { shouldStop, fields } = this.read(net);
    return { nets: [net], shouldStop, fields };
  }

  readRecordEx(localInitNet: Net, localFinishNet: Net): ReadRecordResult {
    const r = this.readEx(localInitNet, localFinishNet);
    const record = this._schema ? new BlobRecord(this._schema, r.fields) : undefined;
    return { ...r, record };
  }

  /** Adds the read ops to `net`: returns the stop flag and the fields. Must be thread-safe. */
  read(_net: Net): { shouldStop: BlobReference; fields: BlobReference[] } {
    throw new ContextError('HOGWILD_NOT_IMPLEMENTED', `${this.constructor.name} implements readEx() only; it cannot read into a single net`);
  }

  readRecord(net: Net): { shouldStop: BlobReference; record: BlobRecord } {
    const { shouldStop, fields } = this.read(net);
    return { shouldStop, record: new BlobRecord(this.schema(), fields) };
  }

  /** Adds ops that rewind the reader. */
  reset(_net: Net): void {
    throw new ContextError('HOGWILD_NOT_IMPLEMENTED', 'This reader cannot be reset');
  }

  /**
   * One step that reads until the reader (or `externalShouldStop`) says stop;
   * named `<readerNetName>_step` (Caffe2 names it 'None_step' without a name).
   */
  executionStep(readerNetName?: string, externalShouldStop?: BlobReference): { step: ExecutionStep; fields: BlobReference[] } {
    const net = new Net(readerNetName ?? 'reader');
    let { shouldStop, fields } = this.read(net);
    if (externalShouldStop) shouldStop = net.Or([shouldStop, externalShouldStop]);
    const step = executionStep(`${readerNetName ?? 'reader'}_step`, net, { shouldStopBlob: shouldStop });
    return { step, fields };
  }
}

export abstract class Writer {
  /** @internal */
  _schema: Field | undefined;

  schema(): Field | undefined {
    return this._schema;
  }

  /** Adds ops to `net` that write `fields`. */
  abstract write(net: Net, fields: readonly BlobReference[]): void;

  writeRecord(net: Net, fields: BlobRecord | readonly BlobReference[]): void {
    if (fields instanceof BlobRecord) {
      this._schema = fields.schema;
      this.write(net, fields.fieldBlobs());
    } else {
      this.write(net, fields);
    }
  }

  /** Task-level setup; the default commits in `finishNet`. */
  setupEx(_initNet: Net, finishNet: Net): void {
    this.commit(finishNet);
  }

  /** Per-instance write nets; `status` becomes true when the writer cannot take more (a closed queue). */
  writeEx(fields: readonly BlobReference[], _localInitNet: Net, _localFinishNet: Net, _status: BlobReference): ReadNet[] {
    const net = new Net('write_net');
    this.write(net, fields);
    return [net];
  }

  writeRecordEx(fields: BlobRecord | readonly BlobReference[], localInitNet: Net, localFinishNet: Net, status?: BlobReference): { nets: ReadNet[]; status: BlobReference } {
    let blobs: readonly BlobReference[];
    if (fields instanceof BlobRecord) {
      this._schema = fields.schema;
      blobs = fields.fieldBlobs();
    } else {
      blobs = fields;
    }
    const stop = status ?? localInitNet.nextScopedBlob(localInitNet.nextName('dequeue_status'));
    return { nets: this.writeEx(blobs, localInitNet, localFinishNet, stop), status: stop };
  }

  /** Ops run once all writing is done. */
  commit(_finishNet: Net): void {
    // nothing by default
  }
}
