// The seed's example (Caffe2's Job docstring in checkpoint.py), in TypeScript,
// on real data (Fashion-MNIST, read natively from the gzipped IDX files):
//
//   with Job() as job:
//       with job.init_group:
//           reader = build_reader(partitions)
//           model = build_model(params)
//       with job.epoch_group:
//           limited_reader = ReaderWithLimit(reader, num_iter=10000)
//           data_queue = pipe(limited_reader, num_threads=8)
//           job.add_stop_condition(limited_reader.data_finished())
//           pipe(data_queue, processor=model, num_threads=8)
//       with job.exit_group:
//           model.save()
//
// The reader's cursor is made in the init group, so each epoch goes on where
// the last one stopped and the job ends when the data is exhausted. The test
// loss is measured by an init-group task (after the parameter fills) and by an
// exit-group task: it falls.
import { existsSync } from 'node:fs';

import { afterAll, expect, test } from 'vitest';

import {
  BlobRecord,
  DenseReplicas,
  finalOutput,
  Job,
  JobRunner,
  Net,
  ops,
  pipe,
  ReaderWithLimit,
  readMnist,
  Task,
  type BlobReference,
  type Dataset,
  type Queue,
  type Reader,
  type TaskOutput,
} from '../../lib/index.js';
import { closeSessions, newSession } from './helpers.js';

afterAll(closeSessions);

const dir = '/usr/share/datasets/fashion-mnist';

/** Softmax regression 784 → 10, trained Hogwild (threads update the shared W, b in place). */
class Model {
  readonly name = 'model';
  init(net: Net): void {
    net.ConstantFill([], ['model/w'], { shape: [10, 784], value: 0, dtype: 'float32' });
    net.ConstantFill([], ['model/b'], { shape: [10], value: 0, dtype: 'float32' });
    net.ConstantFill([], ['model/one'], { shape: [1], value: 1, dtype: 'float32' });
    net.ConstantFill([], ['model/neg_lr'], { shape: [1], value: -0.1, dtype: 'float32' });
  }
  /** The processor: one SGD step per batch record. */
  process(rec: BlobRecord): void {
    const net = ops.net();
    const dense = new DenseReplicas(['model/w', 'model/b'], 0);
    const [, loss] = net.SoftmaxWithLoss([net.FC([rec.field('pixels'), dense.local('model/w'), dense.local('model/b')]), rec.field('label')], 2);
    const grads = net.addGradientOperators(loss!);
    for (const p of ['model/w', 'model/b']) net.WeightedSum([p, 'model/one', grads.get(p) as BlobReference, 'model/neg_lr'], [p]);
  }
  /** Ops computing the mean loss on a dataset. */
  loss(net: Net, ds: Dataset): BlobReference {
    const rec = ds.content();
    return net.SoftmaxWithLoss([net.FC([rec.field('pixels'), 'model/w', 'model/b']), rec.field('label')], 2)[1]!;
  }
}

test.runIf(existsSync(`${dir}/train-images-idx3-ubyte.gz`))('the seed example trains end to end and its loss falls', async () => {
  const session = newSession();
  const model = new Model();
  let before: TaskOutput | undefined, after: TaskOutput | undefined, finished: BlobReference | undefined;
  const job = new Job();
  job.scope(() => {
    // init group: build the reader (data + global cursor) and the model.
    const { reader, test: testDs } = job.initGroup.scope(() =>
      new Task({ name: 'build' }).scope(() => {
        const net = ops.net();
        const train = readMnist(net, `${dir}/train-images-idx3-ubyte.gz`, `${dir}/train-labels-idx1-ubyte.gz`, { name: 'train' });
        const testDs = readMnist(net, `${dir}/t10k-images-idx3-ubyte.gz`, `${dir}/t10k-labels-idx1-ubyte.gz`, { name: 'test' });
        model.init(net);
        before = finalOutput(model.loss(ops.net(), testDs));  // tasks of a group run concurrently: same task
        return { reader: train.reader({ initNet: net, batchSize: 32 }) as Reader, test: testDs };
      }),
    );

    // epoch group: a limited reader piped through a queue by 8 threads, and an 8-thread Hogwild trainer.
    const limited = new ReaderWithLimit(reader, 500);
    const dataQueue = pipe(limited, { numThreads: 8 }) as Queue;
    job.addStopCondition(limited.dataFinished());
    finished = limited.dataFinished();
    pipe(dataQueue, { processor: model, numThreads: 8 });

    // exit group: evaluate (Caffe2's example saves the model here).
    job.exitGroup.scope(() => new Task({ name: 'loss_after' }).scope(() => (after = finalOutput(model.loss(ops.net(), testDs)))));
  });
  const runner = new JobRunner(job);
  const epochs = await runner.train(session);
  expect(finished).toBeDefined();
  expect(epochs).toBe(Math.ceil(60_000 / 32 / 500));  // 1875 batches, 500 per epoch
  const l0 = Number(before!.fetchScalar()), l1 = Number(after!.fetchScalar());
  expect(l0).toBeCloseTo(Math.log(10), 4);
  // One pass of Hogwild SGD on softmax regression: ln 10 = 2.30 falls to about 0.6–0.8.
  expect(l1).toBeLessThan(0.4 * l0);
});
