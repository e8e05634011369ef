import { InvalidArgumentError } from '../errors/index.js';
import { Net } from '../net/Net.js';
import type { Job } from './Job.js';
import { Task } from './Task.js';
import type { TaskOutput } from './TaskOutput.js';

/**
 * Stops `job` after `numEpochs` epochs (docs/caffe2.md §6.9): the init group creates
 * a counter at `numEpochs - 1` (global, so checkpointed) and each epoch counts
 * it down; the CountDown output is a stop condition, true at the end of epoch
 * `numEpochs`. Works without an active Job context.
 *
 * @example
 * epochLimiter(job, 10);
 * await new JobRunner(job).train(session); // 10
 */
export function epochLimiter(job: Job, numEpochs: number): TaskOutput {
  if (!Number.isInteger(numEpochs) || numEpochs < 1) {
    throw new InvalidArgumentError(`Expected an integer >= 1 for numEpochs of epochLimiter but received ${numEpochs}`);
  }
  const initNet = new Net('epoch_counter_init', { names: job.names, builderPrefix: false });
  const counter = initNet.CreateCounter([], null, { init_count: numEpochs - 1 });
  new Task({ step: initNet, group: job.initGroup });
  const epochNet = new Net('epoch_countdown', { names: job.names, builderPrefix: false });
  const finished = epochNet.CountDown(counter);
  const output = new Task({ step: epochNet, outputs: finished, group: job.epochGroup }).outputs()[0]!;
  job.addStopCondition(output);
  return output;
}
