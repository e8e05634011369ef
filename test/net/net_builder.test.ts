// Port of caffe2/python/net_builder_test.py (TestNetBuilder), scenario by
// scenario, plus reporters and bad input (docs/caffe2.md §5).
import { afterAll, describe, expect, test } from 'vitest';

import {
  finalOutput,
  LocalSession,
  Net,
  NetBuilder,
  ops,
  Plan,
  Task,
  TaskGroup,
  toExecutionStep,
  type BlobReference,
  type TaskOutput,
} from '../../lib/index.js';
import { scalar } from '../job-helpers.js';

const sessions: LocalSession[] = [];
const newSession = () => {
  const s = new LocalSession();
  sessions.push(s);
  return s;
};
afterAll(async () => {
  for (const s of sessions) await s.close();
});

function testLoop(): BlobReference {
  const x = ops.Const(5);
  const y = ops.Const(0);
  ops.loop().scope(() => {
    ops.stopIf(ops.EQ([x, ops.Const(0)]));
    ops.Add([x, ops.Const(-1)], [x]);
    ops.Add([y, ops.Const(1)], [y]);
  });
  return y;
}

function testInnerStop(x: BlobReference): void {
  ops.stopIf(ops.LT([x, ops.Const(5)]));
}

function testOuter(): BlobReference[] {
  const x = ops.Const(10);
  // stop_if(False)
  const g1 = ops.stopGuard();
  g1.scope(() => testInnerStop(x));
  // stop_if(True)
  const y = ops.Const(3);
  const g2 = ops.stopGuard();
  g2.scope(() => testInnerStop(y));
  // no stop
  const g4 = ops.stopGuard();
  g4.scope(() => ops.Const(0));
  // empty clause
  const g3 = ops.stopGuard();
  g3.scope(() => {});
  return [g1.hasStopped(), g2.hasStopped(), g3.hasStopped(), g4.hasStopped()];
}

function testIf(x: BlobReference): BlobReference {
  const y = ops.Const(1);
  ops.If(ops.GT([x, ops.Const(50)])).scope(() => {
    ops.Const(2, { blobOut: y });
  });
  ops.If(ops.LT([x, ops.Const(50)])).scope(() => {
    ops.Const(3, { blobOut: y });
    ops.stop();
    ops.Const(4, { blobOut: y });
  });
  return y;
}

function expectedLoop(): number[] {
  let total = 0;
  let large = 0;
  let small = 0;
  let tiny = 0;
  for (let loopIter = 0; loopIter < 10; loopIter++) {
    const outer = loopIter * 10;
    for (let inner = 0; inner < loopIter; inner++) {
      const val = outer + inner;
      if (val >= 80) large += val;
      else if (val >= 50) small += val;
      else tiny += val;
      total += val;
    }
  }
  return [total, large, small, tiny];
}

function actualLoop(): TaskOutput[] {
  const total = ops.Const(0);
  const large = ops.Const(0);
  const small = ops.Const(0);
  const tiny = ops.Const(0);
  ops.loop(10).scope((loop) => {
    const outer = ops.Mul([loop.iter(), ops.Const(10)]);
    ops.loop(loop.iter()).scope((inner) => {
      const val = ops.Add([outer, inner.iter()]);
      const c = ops.If(ops.GE([val, ops.Const(80)]));
      c.scope(() => ops.Add([large, val], [large]));
      const d = c.Elif(ops.GE([val, ops.Const(50)]));
      d.scope(() => ops.Add([small, val], [small]));
      d.Else().scope(() => ops.Add([tiny, val], [tiny]));
      ops.Add([total, val], total);
    });
  });
  return [total, large, small, tiny].map((b) => finalOutput(b));
}

describe('net_builder_test', () => {
  test('#1 test_ops: loop, stop_guard, stop_if, If', async () => {
    const nb = new NetBuilder();
    const blobs = nb.scope(() => {
      const y = testLoop();
      const [z, w, a, b] = testOuter();
      const p = testIf(ops.Const(75));
      const q = testIf(ops.Const(25));
      return { y, z, w, a, b, p, q };
    });
    const plan = new Plan('name');
    plan.addStep(toExecutionStep(nb));
    const session = newSession();
    await session.run(plan);
    const ws = session.workspace;
    expect(scalar(ws, blobs.y)).toBe(5);
    expect(scalar(ws, blobs.z)).toBe(false);
    expect(scalar(ws, blobs.w)).toBe(true);
    expect(scalar(ws, blobs.a)).toBe(false);
    expect(scalar(ws, blobs.b)).toBe(false);
    expect(scalar(ws, blobs.p)).toBe(2);
    expect(scalar(ws, blobs.q)).toBe(3);
  });

  test('#2 test_net_multi_use: ops.net(existing) twice runs it twice', async () => {
    const task = new Task();
    const result = task.scope(() => {
      const total = ops.Const(0);
      const net = new Net('my_net');
      net.Add([total, net.Const(1)], [total]);
      ops.net(net);
      ops.net(net);
      return finalOutput(total);
    });
    await newSession().run(task);
    expect(result.fetchScalar()).toBe(2);
  });

  test('#3 test_loops: nested loops with If/Elif/Else', async () => {
    const task = new Task();
    const outs = task.scope(() => actualLoop());
    await newSession().run(task);
    expect(outs.map((o) => o.fetchScalar())).toEqual(expectedLoop());
  });

  test('#4 test_setup: task_init runs first, task_exit last', async () => {
    const task = new Task();
    const [o6, o71, o72] = task.scope(() => {
      const one = ops.taskInit().scope(() => ops.Const(1));
      const two = ops.Add([one, one]);
      const three = ops.taskInit().scope(() => ops.Const(3));
      const accum = ops.Add([two, three]);
      // here accum is 5; the exit block runs after the lines below (accum 6)
      const seven1 = ops.taskExit().scope(() => ops.Add([accum, one]));
      const six = ops.Add([accum, one]);
      ops.Add([accum, one], [accum]);
      const seven2 = ops.Add([accum, one]);
      return [finalOutput(six), finalOutput(seven1), finalOutput(seven2)];
    });
    await newSession().run(task);
    expect(o6!.fetchScalar()).toBe(6);
    expect(o71!.fetchScalar()).toBe(7);
    expect(o72!.fetchScalar()).toBe(7);
  });

  // #5 test_multi_instance_python_op exercised concurrent creation of Python
  // ops; we have no host-callback op, so the same shape runs a native counter:
  // 64 instances × loop(4) each count once per iteration.
  test('#5 test_multi_instance_python_op (adapted: shared counter instead of a Python op)', async () => {
    const tg = new TaskGroup();
    const total = tg.scope(() => {
      const task = new Task({ numInstances: 64 });
      return task.scope(() => {
        const counter = ops.taskInit().scope(() => ops.CreateCounter([], ['calls']));
        ops.loop(4).scope(() => ops.CountUp(counter));
        return ops.taskExit().scope(() => finalOutput(ops.RetrieveCount(counter)));
      });
    });
    await newSession().run(tg);
    expect(total.fetchScalar()).toBe(256);
  });

  test('#6 test_multi_instance: task, instance and local counters', async () => {
    const NUM_INSTANCES = 10;
    const NUM_ITERS = 15;
    const tg = new TaskGroup();
    const [total1, total2, total3] = tg.scope(() =>
      new Task({ numInstances: NUM_INSTANCES }).scope(() => {
        const [counter1, counter2, counter3] = ops.taskInit().scope(() => [
          ops.CreateCounter([], ['global_counter']),
          ops.CreateCounter([], ['global_counter2']),
          ops.CreateCounter([], ['global_counter3']),
        ]);
        // task_counter and local_counter are thread local
        const taskCounter = ops.taskInstanceInit().scope(() => ops.CreateCounter([], ['task_counter']));
        const localCounter = ops.CreateCounter([], ['local_counter']);
        ops.loop(NUM_ITERS).scope(() => {
          ops.CountUp(counter1);
          ops.CountUp(taskCounter);
          ops.CountUp(localCounter);
        });
        // sum of squares of the local counters: each counted exactly NUM_ITERS, no sharing
        ops.taskInstanceExit().scope(() => {
          const count2 = ops.RetrieveCount(taskCounter);
          ops.loop(ops.Mul([count2, count2])).scope(() => ops.CountUp(counter2));
        });
        const count3 = ops.RetrieveCount(localCounter);
        ops.loop(ops.Mul([count3, count3])).scope(() => ops.CountUp(counter3));
        // runs once
        return ops.taskExit().scope(() => [
          finalOutput(ops.RetrieveCount(counter1)),
          finalOutput(ops.RetrieveCount(counter2)),
          finalOutput(ops.RetrieveCount(counter3)),
        ]);
      }),
    );
    await newSession().run(tg);
    expect(total1!.fetchScalar()).toBe(NUM_INSTANCES * NUM_ITERS);
    expect(total2!.fetchScalar()).toBe(NUM_INSTANCES * NUM_ITERS ** 2);
    expect(total3!.fetchScalar()).toBe(NUM_INSTANCES * NUM_ITERS ** 2);
  });

  test('#7 test_if_net: IfNet/Else, nesting, local blobs stay local', async () => {
    const nb = new NetBuilder();
    const b = nb.scope(() => {
      const x0 = ops.Const(0);
      const x1 = ops.Const(1);
      const x2 = ops.Const(2);
      const y0 = ops.Const(0);
      const y1 = ops.Const(1);
      const y2 = ops.Const(2);

      const firstRes = ops.Const(0);
      ops.IfNet(ops.Const(true)).scope(() => ops.Const(1, { blobOut: firstRes }));
      ops.Else().scope(() => ops.Const(2, { blobOut: firstRes }));

      const secondRes = ops.Const(0);
      ops.IfNet(ops.Const(false)).scope(() => ops.Const(1, { blobOut: secondRes }));
      ops.Else().scope(() => ops.Const(2, { blobOut: secondRes }));

      let localBlob: BlobReference | undefined;
      ops.IfNet(ops.LT([x0, x1])).scope(() => {
        const local = ops.Const(900);
        localBlob = local;
        ops.Add([ops.Const(100), local], [y0]);
        const gt = ops.GT([x1, x2]);
        ops.IfNet(gt).scope(() => {
          // empty then
        });
        ops.Else().scope(() => {
          ops.Add([y1, local], [local]);
          ops.Add([ops.Const(100), y1], [y1]);
        });
        ops.IfNet(ops.EQ([local, ops.Const(901)])).scope(() => {
          ops.Const(7, { blobOut: y2 });
          ops.Add([y1, y2], [y2]);
        });
      });
      ops.Else().scope(() => {
        // empty else
      });
      return { firstRes, secondRes, y0, y1, y2, localBlob: localBlob! };
    });
    const session = newSession();
    await session.run(new Plan('if_net_test').addStep(toExecutionStep(nb)));
    const ws = session.workspace;
    expect(scalar(ws, b.firstRes)).toBe(1);
    expect(scalar(ws, b.secondRes)).toBe(2);
    expect(scalar(ws, b.y0)).toBe(1000);
    expect(scalar(ws, b.y1)).toBe(101);
    expect(scalar(ws, b.y2)).toBe(108);
    expect(ws.has(b.localBlob.name)).toBe(false);
  });

  test('#8 test_while_net: WhileNet with a Condition block', async () => {
    const nb = new NetBuilder();
    const { x, y } = nb.scope(() => {
      const x = ops.Const(0);
      const y = ops.Const(0);
      ops.WhileNet().scope(() => {
        ops.Condition().scope(() => {
          ops.Add([x, ops.Const(1)], [x]);
          ops.LT([x, ops.Const(7)]);
        });
        ops.Add([x, y], [y]);
      });
      return { x, y };
    });
    const session = newSession();
    await session.run(new Plan('while_net_test').addStep(toExecutionStep(nb)));
    expect(scalar(session.workspace, x)).toBe(7);
    expect(scalar(session.workspace, y)).toBe(21);
  });
});

describe('net builder extras', () => {
  test('task_reporter runs periodically and once at the end; report blobs reach onReport', async () => {
    const task = new Task();
    const { count, out } = task.scope(() => {
      const count = ops.Const(0);
      const ticks = ops.taskReporter({ intervalMs: 5, blobs: [count] });
      ticks.scope(() => ops.Add([count, ops.Const(1)], [count]));
      ops.loop(3).scope(() => ops.Sleep([], [], { ms: 10 }));
      return { count, out: finalOutput(count) };
    });
    const seen: number[] = [];
    await newSession().run(task, { onReport: (r) => seen.push(r.values[count.name]!) });
    const n = out.fetchScalar() as number;
    expect(n).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)).toBe(n);
  });

  test('local_reporter runs for the group on its node', async () => {
    const tg = new TaskGroup();
    const out = tg.scope(() =>
      new Task().scope(() => {
        const count = ops.localInit().scope(() => ops.Const(0, 'reports'));
        ops.localReporter({ intervalMs: 1000 }).scope(() => ops.Add([count, ops.Const(1)], [count]));
        return finalOutput(count);
      }),
    );
    await newSession().run(tg);
    // at least the final run after the tasks finished
    expect(out.fetchScalar()).toBeGreaterThanOrEqual(1);
  });

  test('stopIf closes the current net: later ops go into a new net', () => {
    const nb = new NetBuilder({ name: 'b' });
    nb.scope(() => {
      ops.Const(1);
      ops.stopIf(ops.Const(true));
      ops.Const(2);
    });
    const children = nb.get();
    expect(children.length).toBe(2);
    expect(children.map((c) => c.name)).toEqual(['b', 'b_1']);
  });

  test('a loop without iterations must use stopIf (HOGWILD_NO_STOP_CONDITION)', () => {
    const nb = new NetBuilder();
    expect(() => nb.scope(() => ops.loop().scope(() => ops.Const(1)))).toThrow(
      expect.objectContaining({ code: 'HOGWILD_NO_STOP_CONDITION' }),
    );
  });

  test('ops without an active builder throw HOGWILD_NO_ACTIVE_CONTEXT', () => {
    expect(() => ops.Add(['a', 'b'])).toThrow(expect.objectContaining({ code: 'HOGWILD_NO_ACTIVE_CONTEXT' }));
    expect(() => ops.Const(1)).toThrow(expect.objectContaining({ code: 'HOGWILD_NO_ACTIVE_CONTEXT' }));
  });

  test('a built NetBuilder is frozen (HOGWILD_BUILDER_FROZEN)', () => {
    const nb = new NetBuilder();
    nb.scope(() => ops.Const(1));
    expect(() => nb.currentNet()).toThrow(expect.objectContaining({ code: 'HOGWILD_BUILDER_FROZEN' }));
  });

  test('unknown op types fail when added, naming the type', () => {
    const net = new Net('n');
    expect(() => (net as unknown as Record<string, (...a: unknown[]) => unknown>).NoSuchOp!([])).toThrow(
      expect.objectContaining({ code: 'HOGWILD_UNKNOWN_OP', message: expect.stringContaining("'NoSuchOp'") }),
    );
  });
});
