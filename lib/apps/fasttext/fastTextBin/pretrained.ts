/**
 * `-pretrainedVectors <file.vec>` for fastText training: a session that,
 * right after the job's init group has built the dictionary and initialized
 * the parameters, overwrites the input rows of the words the file has. A
 * resumed run does not run the init group, so its checkpoint's rows stay.
 */
import { InvalidArgumentError } from '../../../errors/index.js';
import type { TaskGroup } from '../../../job/TaskGroup.js';
import { LocalSession } from '../../../session/LocalSession.js';
import type { Runnable } from '../../../session/runnable.js';
import type { SessionRunOptions } from '../../../session/Session.js';
import { applyPretrainedVectors, readVec, VEC_ERROR, type VecFile } from './vec.js';

class PretrainedVectorsSession extends LocalSession {
  /** Rows set by the last init run. */
  rowsSet = 0;
  constructor(
    private readonly _vec: VecFile,
    private readonly _initGroup: TaskGroup,
  ) {
    super();
  }

  override async run(runnable: Runnable, options?: SessionRunOptions): Promise<void> {
    await super.run(runnable, options);
    if (runnable === this._initGroup) this.rowsSet = applyPretrainedVectors(this.workspace, this._vec);
  }
}

/** A LocalSession for a fastText job whose init group is `initGroup` that applies the vectors of `path` (checked against `dim` now). */
export async function pretrainedVectorsSession(path: string, initGroup: TaskGroup, dim: number): Promise<LocalSession & { rowsSet: number }> {
  const vec = await readVec(path);
  if (vec.dim !== dim) throw new InvalidArgumentError(`Expected pretrained vectors of dimension ${dim} (-dim) in ${path} but they have ${vec.dim}`, VEC_ERROR);
  return new PretrainedVectorsSession(vec, initGroup);
}
