// Port of caffe2/python/context_test.py (TestContext) plus the async-flow
// isolation the TypeScript contexts add (docs/caffe2.md §2).
import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, test } from 'vitest';

import { Cluster, ContextError, isolated, Job, NetBuilder, Node, Task, TaskGroup } from '../../lib/index.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('context_test', () => {
  // X1 testMultiThreaded: 8 concurrent flows × 100 × 100 checks, each flow
  // entering its own context and yielding between checks.
  test('X1 testMultiThreaded: concurrent async flows each see their own context', async () => {
    const errors: unknown[] = [];
    const useMyContext = async () => {
      try {
        for (let i = 0; i < 100; i++) {
          const a = new TaskGroup();
          await a.scope(async () => {
            for (let j = 0; j < 100; j++) {
              expect(TaskGroup.current()).toBe(a);
              if (j % 10 === 0) await tick();
            }
          });
        }
      } catch (e) {
        errors.push(e);
      }
    };
    await Promise.all(Array.from({ length: 8 }, useMyContext));
    expect(errors).toEqual([]);
    expect(TaskGroup.current(undefined, { required: false })).toBeUndefined();
  });

  // X2 testDecorator: a function run inside a context (Caffe2's @MyContext()).
  test('X2 testDecorator: scope(fn) runs fn with the context active', () => {
    const g = new TaskGroup();
    const seen = g.scope(() => TaskGroup.current());
    expect(seen).toBe(g);
    expect(TaskGroup.current(undefined, { required: false })).toBeUndefined();
  });
});

describe('contexts', () => {
  test('current(value) checks the type and returns the value', () => {
    const g = new TaskGroup();
    expect(TaskGroup.current(g)).toBe(g);
    expect(() => TaskGroup.current(new Job() as unknown as TaskGroup)).toThrow(/Expected a TaskGroup for TaskGroup.current\(value\)/);
  });

  test('a context used outside its scope throws HOGWILD_NO_ACTIVE_CONTEXT', () => {
    for (const cls of [Job, TaskGroup, Task, NetBuilder] as const) {
      let err: unknown;
      try {
        (cls as unknown as { current(): unknown }).current();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ContextError);
      expect((err as ContextError).code).toBe('HOGWILD_NO_ACTIVE_CONTEXT');
      expect((err as Error).message).toContain(`${cls.name}.current()`);
    }
    expect(Job.current(undefined, { required: false })).toBeUndefined();
  });

  test('Node and Cluster have defaults', () => {
    expect(String(Node.current())).toBe('local');
    expect(Node.current()).toBe(Node.current());
    expect(Cluster.current()).toBeInstanceOf(Cluster);
    expect(Node.current(undefined, { required: false })).toBeUndefined();
  });

  test('using x.enter() keeps the context until disposed', () => {
    const job = new Job();
    {
      using _ = job.enter();
      expect(Job.current()).toBe(job);
      // Entering a Job enters its epoch group.
      expect(TaskGroup.current()).toBe(job.epochGroup);
      {
        using _i = job.initGroup.enter();
        expect(TaskGroup.current()).toBe(job.initGroup);
      }
      expect(TaskGroup.current()).toBe(job.epochGroup);
    }
    expect(Job.current(undefined, { required: false })).toBeUndefined();
    expect(TaskGroup.current(undefined, { required: false })).toBeUndefined();
  });

  test('exiting out of order throws HOGWILD_CONTEXT_ORDER', () => {
    const a = new TaskGroup();
    const b = new TaskGroup();
    const da = a.enter();
    const db = b.enter();
    let err: unknown;
    try {
      da[Symbol.dispose]();
    } catch (e) {
      err = e;
    }
    expect((err as ContextError).code).toBe('HOGWILD_CONTEXT_ORDER');
    db[Symbol.dispose]();
    expect(TaskGroup.current(undefined, { required: false })).toBeUndefined();
  });

  test('a failing scope exits its contexts and rethrows', () => {
    const g = new TaskGroup();
    expect(() =>
      g.scope(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(TaskGroup.current(undefined, { required: false })).toBeUndefined();
  });

  test('async scope keeps the context across awaits and exits when the promise settles', async () => {
    const job = new Job();
    const p = job.scope(async () => {
      await sleep(5);
      return Job.current();
    });
    // The caller is not inside the job while the scope runs.
    expect(Job.current(undefined, { required: false })).toBeUndefined();
    expect(await p).toBe(job);
  });

  test('two jobs built concurrently with interleaved awaits never see each other (scope)', async () => {
    const build = (name: string, delays: number[]) => {
      const job = new Job();
      return job.scope(async () => {
        const seen: string[] = [];
        for (const d of delays) {
          await sleep(d);
          const t = new Task({ name });
          seen.push(t.name);
          expect(Job.current()).toBe(job);
          expect(TaskGroup.current()).toBe(job.epochGroup);
        }
        return { job, seen };
      });
    };
    const [a, b] = await Promise.all([build('a', [3, 1, 4, 1]), build('b', [1, 5, 1, 2])]);
    expect(a.job.epochGroup.tasks().map((t) => t.name)).toEqual(['local/a', 'local/a:1', 'local/a:2', 'local/a:3']);
    expect(b.job.epochGroup.tasks().map((t) => t.name)).toEqual(['local/b', 'local/b:1', 'local/b:2', 'local/b:3']);
  });

  test('two builders with `using` in separate flows (server requests) stay isolated', async () => {
    // Each request handler runs in its own async flow, as an HTTP server gives.
    const handle = (name: string, delay: number) =>
      new Promise<Job>((resolve, reject) => {
        setTimeout(async () => {
          try {
            const job = new Job();
            using _ = job.enter();
            await sleep(delay);
            new Task({ name });
            await sleep(delay);
            expect(Job.current()).toBe(job);
            resolve(job);
          } catch (e) {
            reject(e);
          }
        }, 0);
      });
    const [a, b] = await Promise.all([handle('a', 5), handle('b', 2)]);
    expect(a.epochGroup.tasks().map((t) => t.name)).toEqual(['local/a']);
    expect(b.epochGroup.tasks().map((t) => t.name)).toEqual(['local/b']);
    expect(Job.current(undefined, { required: false })).toBeUndefined();
  });

  test('isolated() keeps `using` contexts of concurrent async builders apart', async () => {
    const build = (name: string, delay: number) =>
      isolated(async () => {
        const job = new Job();
        using _ = job.enter();
        await sleep(delay);
        new Task({ name });
        expect(Job.current()).toBe(job);
        return job;
      });
    const [a, b] = await Promise.all([build('a', 5), build('b', 1)]);
    expect(a.epochGroup.tasks().map((t) => t.name)).toEqual(['local/a']);
    expect(b.epochGroup.tasks().map((t) => t.name)).toEqual(['local/b']);
    expect(Job.current(undefined, { required: false })).toBeUndefined();
  });

  test('an exited context is never visible, even through a leaked frame', async () => {
    // An async function that enters with `using` and awaits leaks its frame to
    // its caller until it exits; once it has exited, nothing is visible.
    const build = async () => {
      const job = new Job();
      using _ = job.enter();
      await sleep(1);
      return job;
    };
    await build();
    expect(Job.current(undefined, { required: false })).toBeUndefined();
  });
});

describe('contexts with using', () => {
  test('using task.enter() opens its NetBuilder; ops go into the task body', async () => {
    const { LocalSession, ops, finalOutput } = await import('../../lib/index.js');
    const tg = new TaskGroup();
    let out;
    {
      using _g = tg.enter();
      const task = new Task({ name: 'sum' });
      {
        using _t = task.enter();
        expect(Task.current()).toBe(task);
        expect(NetBuilder.current().name).toBe('local/sum');
        out = finalOutput(ops.Add([ops.Const(20), ops.Const(22)]));
      }
      expect(Task.current(undefined, { required: false })).toBeUndefined();
    }
    await using session = new LocalSession();
    await session.run(tg);
    expect(out.fetchScalar()).toBe(42);
  });
});
