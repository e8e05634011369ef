// Port of caffe2/python/task_test.py (TestTask.testRepr) plus Task/TaskGroup
// behaviour from docs/caffe2.md §3 (naming, groups, lowering, outputs).
import { inspect } from 'node:util';

import { describe, expect, test } from 'vitest';

import {
  Cluster,
  ExecutionStep,
  finalOutput,
  Job,
  Net,
  Node,
  ops,
  SetupNets,
  Task,
  TaskGroup,
  TaskOutput,
  WorkspaceType,
} from '../../lib/index.js';

describe('task_test', () => {
  test('#1 testRepr', () => {
    const cases: [unknown, string][] = [
      [new Cluster(), 'Cluster(nodes=[], node_kwargs={})'],
      [new Node(), 'Node(name=local, kwargs={})'],
      [new TaskGroup(), 'TaskGroup(tasks=[], workspace_type=None, remote_nets=[])'],
      [new TaskOutput([]), 'TaskOutput(names=[], values=None)'],
      [new Task(), 'Task(name=local/task, node=local, outputs=[])'],
      [new SetupNets(), 'SetupNets(init_nets=None, exit_nets=None)'],
    ];
    for (const [obj, want] of cases) expect(inspect(obj)).toBe(want);
  });
});

describe('Node and Cluster', () => {
  test('Node registers its name (and kwargs) with the current Cluster', () => {
    const c = new Cluster();
    c.scope(() => {
      new Node('trainer_0', { gpu: 1 });
      new Node('trainer_1');
      new Node('trainer_0', { mem: 2 });
    });
    expect(c.nodes()).toEqual(['trainer_0', 'trainer_1']);
    expect(c.nodeKwargs()).toEqual({ trainer_0: { gpu: 1, mem: 2 }, trainer_1: {} });
  });

  test('tasks under two Node objects with one name run on the same node', () => {
    const tg = new TaskGroup();
    tg.scope(() => {
      new Node('n1').scope(() => new Task());
      new Node('n2').scope(() => new Task());
      new Node('n1').scope(() => new Task());
    });
    expect(tg.usedNodes()).toEqual(['n1', 'n2']);
    expect(tg.tasks().map((t) => t.name)).toEqual(['n1/task', 'n2/task', 'n1/task:1']);
  });
});

describe('Task', () => {
  test('names are <node>/<name>, deduplicated within the group', () => {
    const tg = new TaskGroup();
    tg.scope(() => {
      new Task({ name: 'reader' });
      new Task({ name: 'reader' });
      new Task({ node: 'n2', name: 'reader' });
      new Task({ step: new ExecutionStep('fromstep') });
    });
    expect(tg.tasks().map((t) => t.name)).toEqual(['local/reader', 'local/reader:1', 'n2/reader', 'local/fromstep']);
  });

  test('tasks keep the order in which their scope blocks finish', () => {
    const tg = new TaskGroup();
    tg.scope(() => {
      const a = new Task({ name: 'a' });
      a.scope(() => {
        new Task({ name: 'b' });
        ops.Const(1);
      });
    });
    expect(tg.tasks().map((t) => t.name)).toEqual(['local/b', 'local/a']);
  });

  test('a task with a step cannot open a body', () => {
    const t = new Task({ step: new Net('x') });
    expect(() => t.scope(() => {})).toThrow(/already has one/);
  });

  test('a task without outputs gets a dummy int32 output; a stepless one does not', () => {
    const tg = new TaskGroup();
    const [withStep, without] = tg.scope(() => [new Task({ name: 'x' }), new Task({ name: 'y' })]);
    withStep!.scope(() => ops.Const(1));
    tg.tasks();
    expect(withStep!.outputs().map((o) => o.names)).toEqual([['local/x:output/ConstantFill:0']]);
    expect(without!.outputs()).toEqual([]);
  });

  test('getStep composes init, instances and exit (numInstances > 1)', async () => {
    const t = new Task({ name: 'w', numInstances: 3 });
    t.scope(() => {
      ops.taskInit().scope(() => ops.Const(1));
      ops.taskInstanceInit().scope(() => ops.Const(2));
      ops.Const(3);
      ops.taskInstanceExit().scope(() => ops.Const(4));
      ops.taskExit().scope(() => ops.Const(5));
    });
    const step = t.getStep();
    const shape = (s: ExecutionStep): unknown => ({
      name: s.name,
      ...(s.options.numConcurrentInstances ? { n: s.options.numConcurrentInstances } : {}),
      ...(s.options.createWorkspace ? { ws: true } : {}),
      ...(s.hasNets() ? { nets: s.nets().length } : { sub: s.substeps().map(shape) }),
    });
    expect(shape(step)).toEqual(
      { name: 'local/w', sub: [
        { name: 'local/w:init', sub: [
          { name: 'local/w', nets: 1 },
        ] },
        { name: 'local/w:parallel', n: 3, sub: [
          { name: 'local/w:instance', ws: true, sub: [
            { name: 'local/w:instance:init', sub: [
              { name: 'local/w', nets: 1 },
            ] },
            { name: 'local/w', nets: 1 },
            { name: 'local/w:instance:exit', sub: [
              { name: 'local/w', nets: 1 },
            ] },
          ] },
        ] },
        { name: 'local/w:exit', sub: [
          { name: 'local/w', nets: 1 },
          { name: 'local/w:output', nets: 1 },
        ] },
      ] },
    );
  });

  test('addOutput after the group was used throws HOGWILD_TASK_USED', () => {
    const tg = new TaskGroup();
    const t = tg.scope(() => new Task());
    tg.tasks();
    expect(() => t.addOutput('x')).toThrow(expect.objectContaining({ code: 'HOGWILD_TASK_USED' }));
  });

  test('finalOutput without an active task makes an empty task in the current group', () => {
    const tg = new TaskGroup();
    const out = tg.scope(() => finalOutput('blob'));
    expect(tg.tasks().map((t) => t.name)).toEqual(['local/task']);
    expect(out.names).toEqual(['blob']);
  });

  test('numInstances must be a positive integer', () => {
    expect(() => new Task({ numInstances: 0 })).toThrow(expect.objectContaining({ code: 'HOGWILD_INVALID_ARGUMENT' }));
  });
});

describe('TaskGroup', () => {
  test('adding to a used TaskGroup throws HOGWILD_TASK_GROUP_USED', () => {
    const tg = new TaskGroup();
    tg.scope(() => new Task());
    tg.tasks();
    expect(() => tg.scope(() => new Task({ name: 'late' }))).toThrow(
      expect.objectContaining({ code: 'HOGWILD_TASK_GROUP_USED', message: expect.stringContaining('local/late') }),
    );
  });

  test('workspace types must agree; an untyped side takes the other', () => {
    const g = new TaskGroup(WorkspaceType.GLOBAL);
    const t = g.scope(() => new Task());
    g.tasks();
    expect(t.workspaceType()).toBe(WorkspaceType.GLOBAL);
    const h = new TaskGroup();
    h.scope(() => new Task({ workspaceType: WorkspaceType.GLOBAL }));
    h.tasks();
    expect(h.workspaceType()).toBe(WorkspaceType.GLOBAL);
    const k = new TaskGroup(WorkspaceType.PRIVATE);
    k.scope(() => new Task({ workspaceType: WorkspaceType.GLOBAL }));
    expect(() => k.tasks()).toThrow(/workspace type/);
    const u = new TaskGroup();
    const ut = u.scope(() => new Task());
    u.tasks();
    expect(ut.workspaceType()).toBe(WorkspaceType.PRIVATE);
  });

  test('tasksByNode: one task per node; setup hooks; a second call with another map throws', () => {
    const tg = new TaskGroup();
    tg.scope(() => {
      new Node('n1').scope(() => new Task({ name: 'a' }).scope(() => ops.localInit().scope(() => ops.Const(1))));
      new Node('n2').scope(() => new Task({ name: 'b' }).scope(() => ops.Const(2)));
      new Node('n1').scope(() => new Task({ name: 'c' }).scope(() => ops.Const(3)));
    });
    const grouped = tg.tasksByNode();
    const tasks = grouped.tasks();
    expect(tasks.map((t) => t.name)).toEqual(['n1/grouped_by_node', 'n2/grouped_by_node']);
    const n1 = tasks[0]!.getStep();
    expect(n1.substeps().map((s) => s.name)).toEqual(['n1:init', 'n1:body']);
    expect(tg.tasksByNode()).toBe(grouped);
    expect(() => tg.tasksByNode(() => 'x')).toThrow(/another/);
  });

  test('toTask remaps every node onto one; an empty group gives an empty task', () => {
    const tg = new TaskGroup();
    tg.scope(() => {
      new Node('n1').scope(() => new Task({ name: 'a' }).scope(() => ops.Const(1)));
      new Node('n2').scope(() => new Task({ name: 'b' }).scope(() => ops.Const(2)));
    });
    const t = new Cluster().scope(() => tg.toTask());
    expect(t.name).toBe('local/grouped_by_node');
    expect(t.getStep().name).toBe('local:body');
    expect(t.getStep().substeps().map((s) => s.name)).toEqual(['n1/a', 'n2/b']);
    expect(new TaskGroup().toTask().name).toBe('local/task');
  });
});

describe('naming is per job and reproducible', () => {
  const build = () => {
    const job = new Job();
    const names: string[] = [];
    job.scope(() => {
      job.initGroup.scope(() =>
        new Task().scope(() => {
          names.push(ops.Const(1).name, ops.Const(2).name, ops.net().name);
        }),
      );
      new Task().scope(() => {
        names.push(ops.Const(7).name);
        const n = new Net('model');
        names.push(n.name, n.FC(['x', 'w', 'b']).name, n.FC(['x', 'w', 'b']).name);
      });
    });
    return names;
  };

  test('the same building code gives the same names, however many jobs were built before', () => {
    const first = build();
    for (let i = 0; i < 3; i++) build();
    // Names outside a job come from the process registry and do not disturb jobs.
    new Net('model');
    new Net('model');
    expect(build()).toEqual(first);
    expect(first).toEqual([
      'local/task/GivenTensorInt64Fill:0',
      'local/task/GivenTensorInt64Fill_2:0',
      'local/task',
      'local/task_1/GivenTensorInt64Fill:0',
      'local/task/model',
      'local/task/model/FC',
      'local/task/model/FC_2',
    ]);
  });
});

describe('SetupNets hooks (docs/caffe2.md §3.6)', () => {
  test('TASK_SETUP runs once per task; LOCAL_SETUP once per node run', async () => {
    const { LocalSession } = await import('../../lib/index.js');
    const init = new Net('init');
    init.ConstantFill([], ['my_val'], { shape: [1], value: 0 });
    const counter = new Net('counter');
    counter.Add(['my_val', counter.Const(1)], ['my_val']);
    // the same hook on two nets of one task runs once
    const hook = new SetupNets([init]);
    counter.addAttribute(Task.TASK_SETUP, hook);
    const counter2 = new Net('counter2');
    counter2.Add(['my_val', counter2.Const(10)], ['my_val']);
    counter2.addAttribute(Task.TASK_SETUP, hook);
    const tg = new TaskGroup(WorkspaceType.GLOBAL);
    tg.scope(() => new Node('trainer').scope(() => new Task({ step: [counter, counter2] })));
    await using session = new LocalSession();
    await session.run(tg);
    expect(Number(session.workspace.fetch('my_val').data[0])).toBe(11);

    const init2 = new Net('init2');
    init2.ConstantFill([], ['shared'], { shape: [1], value: 5 });
    const reader1 = new Net('r1');
    reader1.Add(['shared', reader1.Const(1)], ['shared']);
    reader1.addAttribute(TaskGroup.LOCAL_SETUP, new SetupNets([init2]));
    const tg2 = new TaskGroup(WorkspaceType.GLOBAL);
    tg2.scope(() => {
      new Task({ step: reader1 });
    });
    await session.run(tg2);
    expect(Number(session.workspace.fetch('shared').data[0])).toBe(6);
  });

  test('a setup hook returning something else is rejected', () => {
    const net = new Net('n');
    net.addAttribute(Task.TASK_SETUP, { setup: () => 42 });
    const t = new Task({ step: net, group: null });
    expect(() => t.getStep()).toThrow(/Expected a Net or ExecutionStep from a setup hook/);
  });
});
