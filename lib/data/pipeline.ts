/**
 * pipe() and pipeAndOutput() (docs/caffe2.md §8): one Task that reads an input,
 * optionally transforms each record with a processor, and writes the result
 * to an output, on `numThreads` concurrent instances until the reader or the
 * writer says stop.
 *
 * Threads are Caffe2's runtime threads (`num_runtime_threads`): one Task with
 * `numInstances` = numThreads, each instance in its own child workspace
 * (activations, gradients) and all of them sharing the blobs that exist above
 * it: the node's parameters, the task's cursor and limit counters. With a
 * model as the processor, that is a Hogwild trainer. Caffe2's deprecated
 * static threads (a processor cloned per thread in Python) are not provided;
 * `numThreads` means runtime threads here.
 *
 * @example
 * // Caffe2's Job docstring, in TypeScript:
 * const job = new Job();
 * const reader = job.initGroup.scope(() => buildReader());
 * job.scope(() => {
 *   const limited = new ReaderWithLimit(reader, 10_000);
 *   const queue = pipe(limited, { numThreads: 8 });
 *   job.addStopCondition(limited.dataFinished());
 *   pipe(queue, { processor: model, numThreads: 8 });
 * });
 */
import { inspect } from 'node:util';

import { InvalidArgumentError, PlanError } from '../errors/index.js';
import { SetupKey } from '../job/setupKeys.js';
import { SetupNets } from '../job/SetupNets.js';
import { Task, type OutputLike } from '../job/Task.js';
import type { TaskGroup } from '../job/TaskGroup.js';
import type { TaskOutput } from '../job/TaskOutput.js';
import type { BlobReference } from '../net/BlobReference.js';
import { executionStep, type ExecutionStep } from '../net/ExecutionStep.js';
import { NetBuilder } from '../net/NetBuilder.js';
import { Net } from '../net/Net.js';
import { hasReader, type HasReader } from './builders.js';
import { replicateTransform, type ReplicateOptions } from './hogwild.js';
import { makeProcessor, ProcessingReader, processorName, type ProcessorLike } from './processors.js';
import { Queue } from './Queue.js';
import { Reader, Writer, type ReadNet } from './Reader.js';
import type { BlobRecord } from './schema.js';

/** Caffe2's DEFAULT_QUEUE_CAPACITY. */
export const DEFAULT_QUEUE_CAPACITY = 100;

/** Something with a `writer()` (a Queue). */
export interface HasWriter {
  writer(): Writer;
}

/** Options of pipe(). */
export interface PipeOptions {
  /** Where records go: a Writer, a Queue, or nothing (a new Queue is made when records come out). */
  output?: Writer | HasWriter | null;
  /** Concurrent instances (runtime threads). 0: build no task, return the (processing) reader. Default 1. */
  numThreads?: number;
  /** Transforms each record: a function of the record, a Net, a NetProcessor, or `{ process(record) }`. */
  processor?: ProcessorLike | null;
  /** Task name; default from the processor, the output or the input. */
  name?: string;
  /** Capacity of the queue made when `output` is not given (default 100). */
  capacity?: number;
  /** Put the task in this TaskGroup instead of the active one. */
  group?: TaskGroup;
  /**
   * Hogwild with per-thread replicas: each thread trains its own copy of these
   * parameters and merges its delta into the shared blob every `syncEvery`
   * records (docs/hogwild.md). Needs a processor.
   */
  replicate?: ReplicateOptions;
}

/** Options of pipeAndOutput(). */
export interface PipeAndOutputOptions extends PipeOptions {
  /** Blobs returned as the task's outputs. */
  finalOutputs?: OutputLike | readonly OutputLike[];
}

export type PipeInput = Reader | HasReader;
export type PipeResult = Queue | HasWriter | Reader | undefined;

/** Builds the pipe task; returns the output queue (or the reader when numThreads is 0, or undefined). */
export function pipe(input: PipeInput, options: PipeOptions = {}): PipeResult {
  return pipeStep(input, options).result;
}

/**
 * Like pipe(), and returns the task's outputs too: a list when `finalOutputs`
 * was a list, else the single output.
 */
export function pipeAndOutput(
  input: PipeInput,
  options: PipeAndOutputOptions = {},
): { result: PipeResult; outputs: TaskOutput | TaskOutput[] | undefined } {
  const n = options.numThreads ?? 1;
  if (n <= 0) throw new InvalidArgumentError(`Expected numThreads > 0 for pipeAndOutput but received ${n}`);
  const { result, task } = pipeStep(input, options);
  let outputs: TaskOutput | TaskOutput[] | undefined;
  if (options.finalOutputs !== undefined && task) {
    const all = [...task.outputs()];
    outputs = Array.isArray(options.finalOutputs) ? all : all[0];
  }
  return { result, outputs };
}

function pipeStep(input: PipeInput, options: PipeAndOutputOptions): { result: PipeResult; task: Task | undefined } {
  const numThreads = options.numThreads ?? 1;
  if (!Number.isInteger(numThreads) || numThreads < 0) {
    throw new InvalidArgumentError(`Expected an integer >= 0 for numThreads but received ${String(numThreads)}`);
  }
  let reader: Reader;
  if (input instanceof Reader) reader = input;
  else if (hasReader(input)) reader = input.reader();
  else throw new InvalidArgumentError(`Input must be a reader, queue or stream. Got ${inspect(input, { depth: 0 })}`);

  const processor = options.processor ?? undefined;
  if (options.replicate !== undefined && processor === undefined) {
    throw new InvalidArgumentError('Expected a processor with replicate (the replicas are the parameters a processor trains)');
  }
  const transform = options.replicate !== undefined ? replicateTransform(options.replicate) : undefined;
  if (processor !== undefined) reader = new ProcessingReader(reader, makeProcessor(processor, reader), transform);
  if (numThreads === 0) {
    if (options.output) throw new InvalidArgumentError('Expected no output with numThreads 0 (the processing reader is returned)');
    return { result: reader, task: undefined };
  }
  let name = options.name;
  if (!name && processor !== undefined) name = processorName(processor);
  if (!name && options.output) name = `pipe_into:${processorName(options.output)}`;
  if (!name) name = `pipe_from:${processorName(input)}`;
  return runtimeThreadsTask(name, options, reader, numThreads);
}

function initOutput(output: PipeOptions['output'], capacity: number | undefined, initNet: Net, exitNet: Net): { queue: PipeResult; writer: Writer } {
  let queue: PipeResult;
  let writer: Writer;
  if (output === undefined || output === null) {
    const q = new Queue(capacity ?? DEFAULT_QUEUE_CAPACITY);
    queue = q;
    writer = q.writer();
  } else if (output instanceof Writer) {
    if (capacity !== undefined) throw new InvalidArgumentError('capacity would not be used.');
    writer = output;
  } else if (typeof (output as HasWriter).writer === 'function') {
    if (capacity !== undefined) throw new InvalidArgumentError('capacity would not be used.');
    queue = output as HasWriter;
    writer = (output as HasWriter).writer();
  } else {
    throw new InvalidArgumentError('output must be a reader, queue or stream.');
  }
  writer.setupEx(initNet, exitNet);
  return { queue, writer };
}

function runtimeThreadsTask(name: string, options: PipeAndOutputOptions, reader: Reader, numThreads: number): { result: PipeResult; task: Task } {
  const task = new Task({
    name,
    group: options.group,
    numInstances: numThreads,
    ...(options.finalOutputs !== undefined ? { outputs: options.finalOutputs } : {}),
  });
  // Built inside the task (as Caffe2 does), so processors may use ops.taskInit(),
  // finalOutput() and friends, which find the task through Task.current().
  const result = task.scope(() => {
    const globalInit = new Net('pipe:init');
    const globalExit = new Net('pipe:exit');
    reader.setupEx(globalInit, globalExit);

    const init = new Net('pipe:instance:init');
    const exit = new Net('pipe:instance:exit');
    const read = reader.readRecordEx(init, exit);
    const status = read.shouldStop;
    init.ConstantFill([], [status], { shape: [], value: false, dtype: 'bool' });

    let out: PipeResult;
    const body: ReadNet[] = [...read.nets];
    const rec: BlobRecord | readonly BlobReference[] | undefined = read.record ?? (read.fields.length > 0 ? read.fields : undefined);
    if (rec !== undefined) {
      const o = initOutput(options.output, options.capacity, globalInit, globalExit);
      out = o.queue;
      body.push(...o.writer.writeRecordEx(rec, init, exit, status).nets);
    } else if (options.output) {
      throw new PlanError('HOGWILD_INVALID_PLAN', `Expected the processor of pipe '${name}' to yield a record to write to its output, but it yields none`);
    }
    // Task setup (once) and instance setup (per thread) ride on the first body net.
    let carrier = body.find((n): n is Net => n instanceof Net);
    if (!carrier) body.unshift((carrier = new Net('pipe:setup')));
    carrier.addAttribute(SetupKey.TASK_SETUP, new SetupNets([globalInit], [globalExit]));
    carrier.addAttribute(SetupKey.TASK_INSTANCE_SETUP, new SetupNets([init], [exit]));
    NetBuilder.current().add(new StepHolder(executionStep('body', body, { shouldStopBlob: status })));
    return out;
  });
  return { result, task };
}

/** A builder child that lowers to a prebuilt step. */
class StepHolder extends NetBuilder {
  constructor(private readonly _step: ExecutionStep) {
    super({ name: _step.name });
  }

  override _toExecutionStep(): ExecutionStep {
    this.freeze();
    return this._step;
  }
}
