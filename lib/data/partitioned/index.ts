// Partitioned Parquet / SQL data read through DuckDB (an optional peer dependency).
export { PartitionedReader } from './PartitionedReader.js';
export { PartitionedSource, type PartitionCacheStats, type PartitionedSourceOptions, type PartitionInfo, type RunnerEvents, type SqlSourceOptions } from './PartitionedSource.js';
export type { Cursor as PartitionCursor } from './pump.js';
