// Public exports of the data layer: schemas, readers and writers, datasets,
// queues, pipe(), file readers and JS record sources.
export { AsyncIterableSource, type AsyncIterableSourceOptions, type AsyncIterableSourceResult, type RecordValue } from './AsyncIterableSource.js';
export { CompositeReaderBuilder, PipedReaderBuilder, ReaderBuilder, type BuilderOptions, type HasReader } from './builders.js';
export { Dataset, type DatasetOptions, type DatasetRandomReaderOptions, type DatasetReaderOptions } from './Dataset.js';
export {
  FastTextFile,
  fastTextSchema,
  readCsv,
  readIdx,
  readMnist,
  readRawArray,
  type CsvReadOptions,
  type FastTextReadOptions,
  type FastTextScan,
  type FastTextScanOptions,
  type IdxReadOptions,
} from './files.js';
export {
  DEFAULT_QUEUE_CAPACITY,
  pipe,
  pipeAndOutput,
  type HasWriter,
  type PipeAndOutputOptions,
  type PipeInput,
  type PipeOptions,
  type PipeResult,
} from './pipeline.js';
export {
  makeProcessor,
  NetProcessor,
  Output,
  ProcessingReader,
  processorName,
  type NetProcessorOptions,
  type ProcessorFn,
  type ProcessorLike,
  type ProcessorObject,
  type ProcessorResult,
} from './processors.js';
export { closeQueue, dequeue, enqueue, Pipe, Queue, QueueWrapper, type QueueOptions } from './Queue.js';
export { Reader, Writer, type ReadNet, type ReadRecordResult, type ReadResult } from './Reader.js';
export { CompositeReader, CounterReader, countUntil, ReaderWithDelay, ReaderWithLimit, ReaderWithLimitBase, ReaderWithTimeLimit } from './readers.js';
export { Field, fromColumnList, List, list, map, BlobRecord, Scalar, scalar, schema, Struct, struct, toField, type FieldInfo, type FieldSpec } from './schema.js';
export * from './partitioned/index.js';
export { DEFAULT_SYNC_EVERY, DenseReplicas, type ReplicateOptions, type RowReplicaSpec } from './hogwild.js';
