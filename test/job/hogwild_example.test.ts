// The seed's example shape: a Job built by a reader-building function, a
// model-building function and a Hogwild trainer function, each adding tasks
// to Job.current() groups; JobRunner + epochLimiter train a real MLP on data
// made here, and the loss falls.
import { afterAll, expect, test } from 'vitest';

import {
  buildSgd,
  epochLimiter,
  Job,
  JobRunner,
  LocalSession,
  ModelHelper,
  ops,
  Task,
  type BlobReference,
} from '../../lib/index.js';
import { rng } from '../job-helpers.js';

const N = 600;
const D = 4;
const H = 16;
const C = 3;

function makeData(seed: number): { x: number[]; label: number[] } {
  const r = rng(seed);
  const centers = [
    [2, 0, 0, 1],
    [0, 2, 1, 0],
    [-2, -1, 0, -1],
  ];
  const x: number[] = [];
  const label: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = Math.floor(r() * C);
    label.push(c);
    for (let j = 0; j < D; j++) x.push(centers[c]![j]! + (r() * 2 - 1) * 1.2);
  }
  return { x, label };
}

interface Reader {
  /** Ops (in the active builder) reading the next batch: [x, label, isEmpty]. */
  read(): [BlobReference, BlobReference, BlobReference];
  /** Ops rewinding the cursor. */
  reset(): void;
}

/** Reader-building function: the dataset and its cursor live in the init group (global, checkpointable). */
function buildReader(data: { x: number[]; label: number[] }, batchSize: number): Reader {
  const job = Job.current();
  const cursor = job.initGroup.scope(() =>
    new Task({ name: 'dataset' }).scope(() => {
      ops.GivenTensorFill([], ['data/x'], { shape: [N, D], values: data.x });
      ops.GivenTensorIntFill([], ['data/label'], { shape: [N], values: data.label });
      return ops.CreateTreeCursor([], ['data/cursor'], { fields: ['x', 'label'] });
    }),
  );
  return {
    read() {
      const [x, label] = ops.ReadNextBatch([cursor, 'data/x', 'data/label'], ['batch/x', 'batch/label'], { batch_size: batchSize });
      return [x!, label!, ops.IsEmpty(x!)];
    },
    reset() {
      ops.ResetCursor([cursor], []);
    },
  };
}

/** Model-building function: an MLP whose parameters are made by an init-group task. */
function buildModel(seed: number): ModelHelper {
  const model = new ModelHelper({ name: 'mlp', seed });
  const h = model.relu(model.fc('batch/x', 'fc1', D, H), 'relu1');
  const logits = model.fc(h, 'fc2', H, C);
  const [, loss] = model.softmaxWithLoss(logits, 'batch/label', ['probs', 'loss']);
  model.addGradientOperators(loss);
  buildSgd(model, { baseLearningRate: 0.05 });
  Job.current().initGroup.scope(() => new Task({ name: 'params', step: model.paramInitNet }));
  return model;
}

/** Hogwild trainer function: one epoch-group task, N instances sharing the parameters. */
function buildTrainer(reader: Reader, model: ModelHelper, numInstances: number): void {
  new Task({ name: 'hogwild', numInstances }).scope(() => {
    ops.taskInit().scope(() => reader.reset());
    ops.loop().scope(() => {
      const [, , empty] = reader.read();
      ops.stopIf(empty);
      ops.net(model.net);
    });
  });
}

/** Mean cross-entropy and accuracy of the current parameters, computed in JS. */
function evaluate(session: LocalSession, data: { x: number[]; label: number[] }): { loss: number; accuracy: number } {
  const f = (b: string) => session.workspace.fetch(b).data as Float32Array;
  const [w1, b1, w2, b2] = [f('fc1_w'), f('fc1_b'), f('fc2_w'), f('fc2_b')];
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < N; i++) {
    const h = Array.from({ length: H }, (_, k) => {
      let s = b1[k]!;
      for (let j = 0; j < D; j++) s += w1[k * D + j]! * data.x[i * D + j]!;
      return Math.max(0, s);
    });
    const z = Array.from({ length: C }, (_, c) => {
      let s = b2[c]!;
      for (let k = 0; k < H; k++) s += w2[c * H + k]! * h[k]!;
      return s;
    });
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    loss += lse - z[data.label[i]!]!;
    if (z.indexOf(m) === data.label[i]) correct++;
  }
  return { loss: loss / N, accuracy: correct / N };
}

const session = new LocalSession();
afterAll(() => session.close());

test('a Job from reader, model and Hogwild trainer functions trains an MLP; the loss falls', async () => {
  const data = makeData(2024);
  const job = new Job();
  const model = job.scope(() => {
    const reader = buildReader(data, 16);
    const model = buildModel(7);
    buildTrainer(reader, model, 2);
    return model;
  });
  epochLimiter(job, 6);
  job.compile(session);

  const history: { loss: number; accuracy: number }[] = [];
  const runner = new JobRunner(job);
  runner.on('init', () => history.push(evaluate(session, data)));
  runner.on('epochEnd', () => history.push(evaluate(session, data)));
  const epochs = await runner.train(session);

  expect(epochs).toBe(6);
  expect(history.length).toBe(7);
  const [before, after] = [history[0]!, history.at(-1)!];
  expect(before.loss).toBeGreaterThan(0.6);
  expect(after.loss).toBeLessThan(before.loss * 0.5);
  expect(after.accuracy).toBeGreaterThan(0.85);
  // the parameters live in the session workspace; activations stayed in the instances' workspaces
  expect(session.workspace.has('fc1_w')).toBe(true);
  expect(session.workspace.has('relu1')).toBe(false);
  expect(session.workspace.has('fc1_w_grad')).toBe(false);
});

test('the same building code gives the same blob and net names in a new job', () => {
  const names = () => {
    const job = new Job();
    return job.scope(() => {
      const reader = buildReader(makeData(1), 8);
      const model = buildModel(1);
      buildTrainer(reader, model, 2);
      return [model.net.name, model.paramInitNet.name, ...job.epochGroup.tasks().map((t) => t.name), ...model.net.ops.flatMap((o) => o.outputs)];
    });
  };
  expect(names()).toEqual(names());
});
