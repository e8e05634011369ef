/**
 * Checkpoint file names (docs/caffe2.md §6.2): `<node>.<epoch>`, no zero padding.
 * Node names become file names, so one that could leave the checkpoint
 * directory or confuse a shell or terminal is refused.
 */
import { InvalidArgumentError } from '../errors/index.js';
import { checkInteger, checkNodeName, describeValue } from '../runtime/validate.js';

/** The only checkpoint DB type (the file format of docs/checkpoints.md). */
export const DEFAULT_DB_TYPE = 'safetensors';

/**
 * Throws InvalidArgumentError unless `name` is a node name that stays a plain
 * file name: not empty, '.' or '..', no '/', '\\', NUL or control characters,
 * at most 200 UTF-8 bytes. Returns the name.
 */
export function validateNodeName(name: unknown, argName = 'nodeName'): string {
  return checkNodeName(name, argName);
}

function checkEpoch(epoch: unknown): number {
  return checkInteger(epoch, 'epoch', 0);
}

/** `<nodeName>.<epoch>` (Caffe2's get_ckpt_filename), e.g. `trainer_0.12`. */
export function getCkptFilename(nodeName: string, epoch: number): string {
  return `${validateNodeName(nodeName)}.${checkEpoch(epoch)}`;
}

/**
 * The checkpoint path of a node and epoch (Caffe2's db_name). With a truthy
 * `pathPrefix` it is `pathPrefix + filename`, plain concatenation; otherwise
 * `dbPrefix` and the file name joined like Python's os.path.join (one '/'
 * added unless dbPrefix is empty or ends with '/'; nothing is normalized).
 */
export function dbName(epoch: number, nodeName: string, dbPrefix: string, pathPrefix?: string): string {
  const file = getCkptFilename(nodeName, epoch);
  if (pathPrefix) return pathPrefix + file;
  if (typeof dbPrefix !== 'string') throw new InvalidArgumentError(`Expected a string for dbPrefix but received ${describeValue(dbPrefix)}`);
  if (dbPrefix === '' || dbPrefix.endsWith('/')) return dbPrefix + file;
  return `${dbPrefix}/${file}`;
}

/** The epoch of `fileName` when it is `<nodeName>.<epoch>` (canonical decimal), else undefined. */
export function epochOfFilename(fileName: string, nodeName: string): number | undefined {
  const prefix = `${nodeName}.`;
  if (!fileName.startsWith(prefix)) return undefined;
  const rest = fileName.slice(prefix.length);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(rest)) return undefined;
  const epoch = Number(rest);
  return Number.isSafeInteger(epoch) ? epoch : undefined;
}

/** Validates a DB type (only 'safetensors' exists). */
export function checkDbType(dbType: unknown, argName = 'dbType'): string {
  if (dbType !== DEFAULT_DB_TYPE) {
    throw new InvalidArgumentError(`Expected '${DEFAULT_DB_TYPE}' for ${argName} but received ${describeValue(dbType)}`);
  }
  return dbType;
}
