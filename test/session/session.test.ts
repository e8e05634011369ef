// LocalSession (docs/caffe2.md §4): compile cache, workspace types, outputs, and
// bad input. session_test.py's pipeline scenario is in session_test.test.ts.
import { afterAll, describe, expect, test } from 'vitest';

import {
  CompiledRunnable,
  DisposedError,
  ExecutionStep,
  executionStep,
  finalOutput,
  Job,
  LocalSession,
  Net,
  ops,
  Plan,
  PlanError,
  Session,
  Task,
  TaskGroup,
  Workspace,
  WorkspaceType,
} from '../../lib/index.js';
import { scalar } from '../job-helpers.js';

const sessions: LocalSession[] = [];
const newSession = (ws?: Workspace) => {
  const s = new LocalSession(ws ? { workspace: ws } : {});
  sessions.push(s);
  return s;
};
afterAll(async () => {
  for (const s of sessions) await s.close();
});

/** A task that sleeps `n` × 10 ms (to have something to abort). */
function slowTask(n: number): Task {
  const t = new Task({ name: 'slow' });
  t.scope(() => ops.loop(n).scope(() => ops.Sleep([], [], { ms: 10 })));
  return t;
}

describe('LocalSession', () => {
  test('runs nets, lists of nets, steps, plans and tasks (GLOBAL: blobs persist)', async () => {
    const session = newSession();
    const a = new Net('a');
    a.ConstantFill([], ['x'], { shape: [1], value: 2 });
    await session.run(a);
    const b = new Net('b');
    b.Add(['x', 'x'], ['y']);
    const c = new Net('c');
    c.Add(['y', 'x'], ['z']);
    await session.run([b, c]);
    expect(scalar(session.workspace, 'z')).toBe(6);
    const d = new Net('d');
    d.Mul(['z', 'z'], ['w']);
    await session.run(executionStep('s', d));
    await session.run(new Plan('p').addStep(d));
    expect(scalar(session.workspace, 'w')).toBe(36);
  });

  test('PRIVATE groups drop the blobs they create; outputs and existing blobs persist', async () => {
    const session = newSession();
    const init = new Net('init');
    init.ConstantFill([], ['shared'], { shape: [1], value: 1 });
    await session.run(init);
    const tg = new TaskGroup(WorkspaceType.PRIVATE);
    const out = tg.scope(() =>
      new Task().scope(() => {
        const tmp = ops.Add(['shared', 'shared'], ['tmp']);
        ops.Add(['shared', tmp], ['shared']);
        return finalOutput(ops.Mul([tmp, tmp], ['result']));
      }),
    );
    await session.run(tg);
    expect(session.workspace.has('tmp')).toBe(false);
    expect(scalar(session.workspace, 'shared')).toBe(3);
    expect(out.fetchScalar()).toBe(4);
    expect(session.workspace.has('result')).toBe(true);
  });

  test('GLOBAL groups keep the blobs they create', async () => {
    const session = newSession();
    const tg = new TaskGroup(WorkspaceType.GLOBAL);
    tg.scope(() => new Task().scope(() => ops.ConstantFill([], ['kept'], { shape: [1], value: 5 })));
    await session.run(tg);
    expect(scalar(session.workspace, 'kept')).toBe(5);
  });

  test('fetch is lazy: it reads the current value, not a copy from the end of the run', async () => {
    const session = newSession();
    const t = new Task();
    const out = t.scope(() => finalOutput(ops.ConstantFill([], ['v'], { shape: [1], value: 1 })));
    await session.run(t);
    expect(out.fetchScalar()).toBe(1);
    const bump = new Net('bump');
    bump.Add(['v', 'v'], ['v']);
    await session.run(bump);
    expect(out.fetchScalar()).toBe(2);
    expect(Number(session.fetchOutput(out).data[0])).toBe(2);
  });

  test('an output fetched before any run throws HOGWILD_OUTPUT_NOT_SET', () => {
    const t = new Task();
    const out = t.addOutput('x');
    expect(() => out.fetch()).toThrow(expect.objectContaining({ code: 'HOGWILD_OUTPUT_NOT_SET' }));
  });

  test('compile is cached per runnable object and checks the session class', () => {
    const tg = new TaskGroup();
    tg.scope(() => new Task().scope(() => ops.Const(1)));
    const c1 = LocalSession.compile(tg);
    expect(LocalSession.compile(tg)).toBe(c1);
    expect(LocalSession.compile(c1)).toBe(c1);
    class OtherSession extends LocalSession {}
    expect(() => OtherSession.compile(c1)).toThrow(/compiled for LocalSession/);
    expect(c1).toBeInstanceOf(CompiledRunnable);
    expect(c1.sessionClass).toBe(LocalSession);
  });

  test('a wrapper task does not join a group active at compile time', () => {
    const outer = new TaskGroup();
    outer.scope(() => LocalSession.compile(new Net('n')));
    expect(outer.numRegisteredTasks()).toBe(0);
  });

  test('workspaceType must match a typed group', () => {
    const tg = new TaskGroup(WorkspaceType.GLOBAL);
    expect(() => LocalSession.compile(tg, WorkspaceType.PRIVATE)).toThrow(/workspace type/);
  });

  test('concurrent tasks of a group share the node workspace', async () => {
    const session = newSession();
    const init = new Net('init');
    init.CreateCounter([], ['c'], { init_count: 0 });
    await session.run(init);
    const tg = new TaskGroup();
    tg.scope(() => {
      for (let i = 0; i < 4; i++) new Task().scope(() => ops.loop(25).scope(() => ops.CountUp(['c'])));
    });
    const read = new Task();
    const out = read.scope(() => finalOutput(ops.RetrieveCount(['c'])));
    await session.run(tg);
    await session.run(read);
    expect(out.fetchScalar()).toBe(100);
  });
});

describe('LocalSession bad input', () => {
  test('running on a closed session throws HOGWILD_DISPOSED', async () => {
    const session = new LocalSession();
    await session.close();
    await expect(session.run(new Net('n'))).rejects.toBeInstanceOf(DisposedError);
    await expect(session.run(new Net('n'))).rejects.toMatchObject({ code: 'HOGWILD_DISPOSED' });
    expect(session.isOpen()).toBe(false);
    await session.close(); // idempotent
  });

  test('await using closes the session and disposes the workspace it owns', async () => {
    let ws: Workspace;
    {
      await using session = new LocalSession();
      ws = session.workspace;
      await session.run(new Net('n'));
    }
    expect(ws.disposed).toBe(true);
    const mine = new Workspace();
    {
      await using s2 = new LocalSession({ workspace: mine });
      await s2.run(new Net('n'));
    }
    expect(mine.disposed).toBe(false);
    mine.dispose();
  });

  test('close waits for runs in flight', async () => {
    const session = new LocalSession();
    const run = session.run(slowTask(5));
    await session.close();
    await expect(run).resolves.toBeUndefined();
  });

  test('a net reading a blob nothing produces fails before running, naming the blob', async () => {
    const session = newSession();
    const net = new Net('reader');
    net.Relu(['never_written'], ['y']);
    await expect(session.run(net)).rejects.toMatchObject({
      code: 'HOGWILD_MISSING_BLOB',
      message: expect.stringContaining("'never_written'"),
    });
    await expect(session.run(net)).rejects.toBeInstanceOf(PlanError);
  });

  test('a job reading a blob nothing produces fails at compile, naming the blob and the op', () => {
    const job = new Job();
    job.scope(() => {
      job.initGroup.scope(() => new Task().scope(() => ops.ConstantFill([], ['w'], { shape: [2], value: 1 })));
      new Task({ name: 'train' }).scope(() => ops.Add(['w', 'typo_w'], ['out']));
    });
    let err: unknown;
    try {
      job.compile(LocalSession);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toMatchObject({ code: 'HOGWILD_MISSING_BLOB' });
    expect((err as Error).message).toContain("'typo_w'");
    expect((err as Error).message).toContain('(Add)');
    expect((err as Error).message).toContain('epoch group');
  });

  test('job.compile accepts blobs listed as externalInputs or present in the session workspace', async () => {
    const build = () => {
      const job = new Job();
      job.scope(() => new Task().scope(() => ops.Add(['fed', 'fed'], ['out'])));
      return job;
    };
    build().compile(LocalSession, { externalInputs: ['fed'] });
    const session = newSession();
    session.workspace.feed('fed', new Float32Array([1]));
    build().compile(session);
  });

  test('abort mid-run rejects with the signal reason; the session stays usable', async () => {
    const session = newSession();
    const ac = new AbortController();
    const reason = new Error('stop now');
    const run = session.run(slowTask(1000), { signal: ac.signal });
    setTimeout(() => ac.abort(reason), 30);
    await expect(run).rejects.toBe(reason);
    const after = new Task();
    const out = after.scope(() => finalOutput(ops.Add([ops.Const(2), ops.Const(3)])));
    await session.run(after);
    expect(out.fetchScalar()).toBe(5);
  });

  test('an already aborted signal rejects at once', async () => {
    const session = newSession();
    await expect(session.run(new Net('n'), { signal: AbortSignal.abort('why') })).rejects.toBe('why');
  });

  test('running nothing or a non-runnable throws HOGWILD_INVALID_ARGUMENT', async () => {
    const session = newSession();
    await expect(session.run(undefined as unknown as Net)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(session.run({} as unknown as Net)).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(session.run(new Plan('empty'))).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  });

  test('Session is abstract', () => {
    expect(() => (Session as unknown as { compile(x: unknown): unknown }).compile(new ExecutionStep('x'))).toThrow(/concrete Session/);
  });
});
