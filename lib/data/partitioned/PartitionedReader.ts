// The Reader of a PartitionedSource.
import type { BlobReference } from '../../net/BlobReference.js';
import { Net } from '../../net/Net.js';
import { dequeue } from '../Queue.js';
import { Reader, type ReadResult } from '../Reader.js';
import type { Field } from '../schema.js';

/**
 * The reader side of a PartitionedSource: each read dequeues one batch that
 * the source's pump put in its native queue. Unlike a Queue's reader it does
 * not close the queue when its task ends, so the next epoch goes on with the
 * batches already read ahead; the pump closes it when the data ends, which
 * stops the reader (and sets a ReaderWithLimit's dataFinished()).
 */
export class PartitionedReader extends Reader {
  /** @internal */
  constructor(
    schemaField: Field,
    /** The queue blob the pump fills (made when the runner starts, see PartitionedSource.attach). */
    readonly queue: BlobReference,
    /** The cursor blob: [pass, partition position, row offset, shuffle seed, partition count] (checkpointed). */
    readonly cursor: BlobReference,
  ) {
    super(schemaField);
  }

  override readEx(): ReadResult {
    const net = new Net('partitioned_read');
    const names = this.schema().fieldNames();
    const { fields, status } = dequeue(net, this.queue, names.length, { fieldNames: names, numRecords: 1 });
    return { nets: [net], shouldStop: status, fields };
  }
}
