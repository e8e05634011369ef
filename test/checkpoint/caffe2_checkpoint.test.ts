// Port of Caffe2's checkpoint_test.py (pytorch/pytorch caffe2/python/
// checkpoint_test.py, docs/caffe2.md §0) with its numbers: EXPECTED_TOTALS
// [103, 115, 136, 145], 4 epochs, 3 nodes, epoch 5 missing. Changes: the DB
// type is 'safetensors' (Caffe2 used 'minidb'); the upload op copies with
// fs.copyFileSync instead of ops.Python; save/load return actions run with the
// session instead of Tasks run by session.run (docs/checkpoints.md).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import {
  CheckpointManager,
  Cluster,
  Dataset,
  dbName,
  epochLimiter,
  Job,
  JobRunner,
  LocalSession,
  ModelHelper,
  MultiNodeCheckpointManager,
  Net,
  Node,
  ops,
  pipe,
  ReaderWithLimit,
  Task,
  UploadTaskGroupBuilder,
  type BlobRecord,
  type BlobReference,
  type CheckpointManagerApi,
  type Session,
} from '../../lib/index.js';

const EXPECTED_TOTALS = [103, 115, 136, 145];

const sessions: LocalSession[] = [];
function newSession(): LocalSession {
  const s = new LocalSession();
  sessions.push(s);
  return s;
}
const dirs: string[] = [];
function mkdtemp(): string {
  const d = mkdtempSync(join(tmpdir(), 'hw-caffe2-ckpt-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const s of sessions) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** build_pipeline: a dataset of 0..9 read 3 at a time per epoch; `total` (100) += each value. */
function buildPipeline(nodeId: number): BlobReference[] {
  return new Node(`trainer_${nodeId}`).scope(() => {
    let total!: BlobReference;
    let fullReader!: ReturnType<Dataset['reader']>;
    Job.current().initGroup.scope(() =>
      new Task().scope(() => {
        const net = ops.net();
        const val = net.GivenTensorInt64Fill([], 1, { shape: [10], values: Array.from({ length: 10 }, (_, i) => i) }) as BlobReference;
        const ds = new Dataset({ val: 'int64' }, { name: `dataset:${nodeId}`, blobs: [val] });
        fullReader = ds.reader({ initNet: net });
        total = ops.Const([100]);
      }),
    );
    const incTotal = (rec: BlobRecord) => {
      ops.Add([total, rec.field('val')], [total]);
    };
    const epochReader = new ReaderWithLimit(fullReader, 3);
    pipe(epochReader, { processor: incTotal });
    Job.current().addStopCondition(epochReader.dataFinished());
    return [total];
  });
}

/** UploadToLocalFile: copies each node's checkpoint of the last epoch to <destDir>/<node>. */
class UploadToLocalFile extends UploadTaskGroupBuilder {
  constructor(readonly destDir: string) {
    super();
  }

  override build(epoch: number, checkpointManager: CheckpointManagerApi | undefined) {
    const managers = (checkpointManager as MultiNodeCheckpointManager).nodeManagers ?? [];
    return async (_session: Session) => {
      for (const [node, manager] of managers) {
        const src = dbName(epoch, manager.nodeName, manager.dbPrefix);
        copyFileSync(src, join(this.destDir, String(node)));
      }
    };
  }
}

type Builder = () => { session: LocalSession; checkpoint: CheckpointManager | MultiNodeCheckpointManager };

async function runWith(builder: Builder) {
  const job = new Job();
  const outputs = new Cluster().scope(() => job.scope(() => buildPipeline(0)));
  const outputFetcher = new Task({ step: new Net('empty'), outputs, group: null });
  const fetchTotal = async (session: LocalSession) => {
    await session.run(outputFetcher);
    return Number(outputFetcher.outputs()[0]!.fetch().data[0]);
  };

  let { session, checkpoint } = builder();
  job.compile(LocalSession);
  const numEpochs = await new JobRunner(job, { checkpointManager: checkpoint }).train(session);
  expect(numEpochs).toBe(EXPECTED_TOTALS.length);
  expect(await fetchTotal(session)).toBe(EXPECTED_TOTALS.at(-1));

  for (let initialEpoch = 1; initialEpoch <= numEpochs; initialEpoch++) {
    ({ session, checkpoint } = builder());
    await new JobRunner(job, { checkpointManager: checkpoint, resumeFromEpoch: initialEpoch }).train(session);
    expect(await fetchTotal(session)).toBe(EXPECTED_TOTALS.at(-1));
  }

  for (let epoch = 1; epoch <= numEpochs; epoch++) {
    await checkpoint.load(epoch)(session);
    expect(await fetchTotal(session)).toBe(EXPECTED_TOTALS[epoch - 1]);
  }
}

describe('checkpoint_test.py', () => {
  test('test_single_checkpoint (single node)', async () => {
    const tmpdir = mkdtemp();
    await runWith(() => ({ session: newSession(), checkpoint: new CheckpointManager(tmpdir, 'temp_node', 'safetensors') }));
  });

  test('test_single_checkpoint (multi-node manager)', async () => {
    const tmpdir = mkdtemp();
    await runWith(() => ({ session: newSession(), checkpoint: new MultiNodeCheckpointManager(tmpdir, 'safetensors') }));
  });

  test('test_ckpt_name_and_load_model_from_ckpts', async () => {
    const numNodes = 3;
    let tmpdir = mkdtemp();
    // First, the checkpoint names.
    {
      const checkpoint = new MultiNodeCheckpointManager(tmpdir, 'safetensors');
      const job = new Job();
      new Cluster().scope(() => job.scope(() => {
        for (let nodeId = 0; nodeId < numNodes; nodeId++) buildPipeline(nodeId);
      }));
      job.compile(LocalSession);
      checkpoint.init(job.nodesToCheckpoint());
      for (let nodeId = 0; nodeId < numNodes; nodeId++) {
        const epoch = 5;
        const nodeName = `trainer_${nodeId}`;
        expect(checkpoint.getCkptDbName(nodeName, epoch)).toBe(`${tmpdir}/${nodeName}.5`);
      }
    }

    // Next, loading model blobs from the checkpoints of several nodes.
    tmpdir = mkdtemp();
    const modelBlobNames: string[] = [];
    for (let nodeId = 0; nodeId < numNodes; nodeId++) {
      const session = newSession();
      const checkpoint = new MultiNodeCheckpointManager(tmpdir, 'safetensors');
      const job = new Job();
      const [total] = new Cluster().scope(() => job.scope(() => buildPipeline(nodeId)));
      job.compile(LocalSession);
      const numEpochs = await new JobRunner(job, { checkpointManager: checkpoint }).train(session);
      expect(numEpochs).toBe(EXPECTED_TOTALS.length);
      // Caffe2 counts 17 global blobs here (its Python-era task outputs,
      // timers and net names included). Ours are the 7 that init made and the
      // runner keeps: the dataset values, its cursor, `total`, the reader
      // limit's data_finished flag, two task output placeholders, blob_names.
      const blobs = session.workspace.list({ localOnly: true });
      expect(blobs.length).toBe(7);
      expect(blobs).toContain(String(total));
      expect(blobs).toContain('blob_names');
      expect(checkpoint.nodeManagers![0]![1].blobList()).toEqual(expect.arrayContaining([String(total), 'blob_names']));
      if (nodeId > 0) modelBlobNames.push(String(total));
    }
    // Caffe2's names were 'trainer_1/task_2/GivenTensorInt64Fill:0' (a process-wide
    // counter); ours come from each job's own counter, the same in every process.
    expect(modelBlobNames).toEqual(['trainer_1/task/GivenTensorInt64Fill_2:0', 'trainer_2/task/GivenTensorInt64Fill_2:0']);

    const session = newSession();
    expect(session.workspace.list()).toEqual([]);
    const checkpoint = new MultiNodeCheckpointManager(tmpdir, 'safetensors');
    const job = new Job();
    new Cluster().scope(() => job.scope(() => {
      for (let nodeId = 0; nodeId < numNodes; nodeId++) buildPipeline(nodeId);
    }));
    job.compile(LocalSession);
    const jobRunner = new JobRunner(job, { checkpointManager: checkpoint });
    await jobRunner.loadBlobsFromCheckpoints(modelBlobNames, 1, session);

    // Checkpoints of epochs 1 to 4 load; epoch 5 does not exist.
    for (let epoch = 1; epoch < 5; epoch++) {
      expect(await jobRunner.loadBlobsFromCheckpoints(modelBlobNames, epoch, session)).toBe(true);
      for (const blobName of modelBlobNames) {
        expect(session.workspace.has(blobName)).toBe(true);
        expect(Array.from(session.workspace.fetch(blobName).data, Number)).toEqual([EXPECTED_TOTALS[epoch - 1]]);
      }
    }
    expect(await jobRunner.loadBlobsFromCheckpoints(modelBlobNames, 5, session)).toBe(false);
  });

  test('test_upload_checkpoint', async () => {
    const tmpdir = mkdtemp();
    const uploadDir = join(tmpdir, 'upload');
    mkdirSync(uploadDir);
    const numNodes = 3;
    for (let nodeId = 0; nodeId < numNodes; nodeId++) expect(existsSync(join(uploadDir, `trainer_${nodeId}`))).toBe(false);
    for (let nodeId = 0; nodeId < 3; nodeId++) {
      const session = newSession();
      const checkpoint = new MultiNodeCheckpointManager(tmpdir, 'safetensors');
      const job = new Job();
      new Cluster().scope(() => job.scope(() => buildPipeline(nodeId)));
      job.compile(LocalSession);
      const localUploadBuilder = new UploadToLocalFile(uploadDir);
      const jobRunner = new JobRunner(job, { checkpointManager: checkpoint, uploadTaskGroupBuilder: localUploadBuilder });
      expect(await jobRunner.train(session)).toBe(EXPECTED_TOTALS.length);
    }
    for (let nodeId = 0; nodeId < numNodes; nodeId++) expect(existsSync(join(uploadDir, `trainer_${nodeId}`))).toBe(true);
  });

  test('test_ckpt_save_failure', async () => {
    const numNodes = 3;
    // Caffe2 used a directory that does not exist; hogwild creates missing checkpoint
    // directories, so a path under a regular file (which cannot be created) makes every save
    // fail. The job must still run all epochs.
    const blocker = join(mkdtemp(), 'a-file');
    writeFileSync(blocker, 'not a directory');
    const tmpdir = `${blocker}/path_does_not_exist/`;
    expect(existsSync(tmpdir)).toBe(false);
    for (let nodeId = 0; nodeId < numNodes; nodeId++) {
      const session = newSession();
      const checkpoint = new MultiNodeCheckpointManager(tmpdir, 'safetensors');
      const job = new Job();
      new Cluster().scope(() => job.scope(() => buildPipeline(nodeId)));
      job.compile(LocalSession);
      const jobRunner = new JobRunner(job, { checkpointManager: checkpoint });
      const warnings: Error[] = [];
      jobRunner.on('warning', (w) => warnings.push(w));
      expect(await jobRunner.train(session)).toBe(EXPECTED_TOTALS.length);
      expect(warnings.length).toBe(EXPECTED_TOTALS.length + 1); // epochs 0..4
      expect((warnings[0]!.cause as { code?: string }).code).toBe('ENOTDIR');
    }
  });

  test('test_download_group_simple', async () => {
    const model = new ModelHelper({ name: 'test_model' });
    const downloadNet = new Net('download_net');
    for (const name of ['input1', 'input2', 'output', 'download_result']) {
      // Caffe2 wrote value=1.0 (a Python float) and run_once=0 (a no-op here); JS has no 1.0, so the dtype is explicit.
      model.paramInitNet.ConstantFill([], [name], { shape: [8], value: 1.0, dtype: 'float32' });
    }
    model.net.Add(['input1', 'input2'], ['output']);
    downloadNet.Copy(['output'], ['download_result']);

    const job = new Job();
    job.scope(() =>
      new Node('trainer:0').scope(() => {
        job.initGroup.scope(() => new Task({ step: model.paramInitNet }));
        job.epochGroup.scope(() => new Task().scope(() => ops.loop(1).scope(() => ops.net(model.net))));
        job.downloadGroup.scope(() => new Task({ step: downloadNet }));
        epochLimiter(job, 1);
      }),
    );
    const session = newSession();
    await new JobRunner(job).train(session);
    const expected = new Array(8).fill(2);
    expect(Array.from(session.workspace.fetch('output').data as Float32Array)).toEqual(expected);
    expect(Array.from(session.workspace.fetch('download_result').data as Float32Array)).toEqual(expected);
  });

  test('test_reuse_checkpoint_manager', async () => {
    const tmpdir = mkdtemp();
    const session = newSession();
    const checkpoint = new MultiNodeCheckpointManager(tmpdir, 'safetensors');
    const job = new Job();
    const outputs = job.scope(() => buildPipeline(0));
    const outputFetcher = new Task({ step: new Net('empty'), outputs, group: null });
    job.compile(LocalSession);
    const fetchTotal = async () => {
      await session.run(outputFetcher);
      return Number(outputFetcher.outputs()[0]!.fetch().data[0]);
    };
    const numEpochs = await new JobRunner(job, { checkpointManager: checkpoint }).train(session);
    for (let initialEpoch = 1; initialEpoch <= numEpochs; initialEpoch++) {
      await new JobRunner(job, { checkpointManager: checkpoint, resumeFromEpoch: initialEpoch }).train(session);
      expect(await fetchTotal()).toBe(EXPECTED_TOTALS.at(-1));
    }
  });
});
