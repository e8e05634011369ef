// Bad input never crashes: each case is a HogwildError with its code, from
// the TS facade and, bypassing it, from the raw binding (validated twice).
import { describe, expect, test } from 'vitest';

import { HogwildError } from '../../lib/errors/index.js';
import { native } from '../../lib/native/binding.js';
import type { PlanDef } from '../../lib/native/coreTypes.js';
import { compilePlan, Workspace } from '../../lib/runtime/index.js';
import { net, op, plan, simplePlan } from './helpers.js';

const raw = native();

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (!(e instanceof Error)) return `non-error: ${String(e)}`;
    return (e as { code?: string }).code ?? `no code: ${e.message}`;
  }
  return 'no error';
}

/** Both layers reject it with the same code, the facade with a HogwildError. */
function expectBoth(code: string, viaFacade: () => unknown, viaRaw: () => unknown, message?: RegExp) {
  let facadeError: unknown;
  try {
    viaFacade();
  } catch (e) {
    facadeError = e;
  }
  expect(facadeError).toBeInstanceOf(HogwildError);
  expect((facadeError as HogwildError).code).toBe(code);
  if (message) expect((facadeError as Error).message).toMatch(message);
  expect(codeOf(viaRaw)).toBe(code);
}

describe('feeds', () => {
  const ws = new Workspace(); // not `using`: the describe body ends before its tests run
  const n = raw.createWorkspace();

  test('wrong dtypes', () => {
    expectBoth(
      'HOGWILD_DTYPE_MISMATCH',
      () => ws.feed('x', { dtype: 'float32', data: new Float64Array(2) }),
      () => n.feed('x', 'float32', [2], new Float64Array(2)),
      /Expected a Float32Array \(dtype float32\) for value.data but received a value of type Float64Array/,
    );
    expectBoth(
      'HOGWILD_DTYPE_MISMATCH',
      () => ws.feed('x', { dtype: 'float16' as never, data: new Float32Array(2) }),
      () => n.feed('x', 'float16' as never, [2], new Float32Array(2)),
      /Expected one of float32, float64, int32, int64, uint8, bool for value.dtype but received 'float16' of type string/,
    );
    expect(codeOf(() => n.feed('x', 'int64', [1], new Int32Array(1) as never))).toBe('HOGWILD_DTYPE_MISMATCH');
  });

  test('wrong shapes, negative, fractional, NaN and huge sizes', () => {
    expectBoth(
      'HOGWILD_SHAPE_MISMATCH',
      () => ws.feed('x', { shape: [2, 3], data: new Float32Array(5) }),
      () => n.feed('x', 'float32', [2, 3], new Float32Array(5)),
    );
    for (const bad of [[-1], [1.5], [NaN], [Infinity], ['2'], [2 ** 53]] as unknown as number[][]) {
      expectBoth(
        'HOGWILD_INVALID_ARGUMENT',
        () => ws.feed('x', { shape: bad, data: new Float32Array(1) }),
        () => n.feed('x', 'float32', bad, new Float32Array(1)),
        /Expected an integer in \[0, 9007199254740991\] for value.shape\[0\]/,
      );
    }
    // Dims whose product overflows 64 bits: refused before any allocation.
    expect(codeOf(() => n.feed('x', 'float32', [2 ** 40, 2 ** 40, 2 ** 40], new Float32Array(1)))).toBe('HOGWILD_INVALID_ARGUMENT');
    expect(codeOf(() => n.feed('x', 'float32', new Array(33).fill(1), new Float32Array(1)))).toBe('HOGWILD_INVALID_ARGUMENT');
    expect(codeOf(() => n.feed('x', 'float32', 'nope' as never, new Float32Array(1)))).toBe('HOGWILD_INVALID_ARGUMENT');
  });

  test('non-typed-array data', () => {
    for (const bad of [[1, 2], new ArrayBuffer(8), new DataView(new ArrayBuffer(8)), 'abc', null, undefined, 3, new Uint16Array(2)]) {
      expect(() => ws.feed('x', bad as never)).toThrow(HogwildError);
      expect(codeOf(() => n.feed('x', 'float32', [2], bad as never))).toBe('HOGWILD_DTYPE_MISMATCH');
    }
  });

  test('detached buffers', () => {
    const data = new Float32Array(4);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(data.buffer.byteLength).toBe(0);
    expectBoth(
      'HOGWILD_INVALID_ARGUMENT',
      () => ws.feed('x', data),
      () => n.feed('x', 'float32', [0], data),
      /Expected a typed array with an attached buffer/,
    );
  });

  test('bad names', () => {
    expectBoth('HOGWILD_INVALID_ARGUMENT', () => ws.feed('', new Float32Array(1)), () => n.feed('', 'float32', [1], new Float32Array(1)));
    expectBoth('HOGWILD_INVALID_ARGUMENT', () => ws.fetch(3 as never), () => n.fetch(3 as never));
  });

  test('a failed feed leaves the blob as it was', () => {
    ws.feed('keep', new Float32Array([1, 2]));
    expect(() => ws.feed('keep', { shape: [3], data: new Float32Array(2) })).toThrow();
    expect(ws.fetch('keep').data).toEqual(new Float32Array([1, 2]));
  });
});

describe('blobs and plans', () => {
  test('missing blobs', async () => {
    using ws = new Workspace();
    const n = raw.createWorkspace();
    expectBoth('HOGWILD_MISSING_BLOB', () => ws.fetch('nope'), () => n.fetch('nope'), /Blob 'nope' does not exist/);
    expectBoth('HOGWILD_MISSING_BLOB', () => ws.kind('nope'), () => n.kind('nope'));
    expectBoth('HOGWILD_MISSING_BLOB', () => ws.serializeBlob('nope'), () => n.serializeBlob('nope'));
    await expect(ws.run(simplePlan('p', [op('Add', ['a', 'b'], ['c'])]))).rejects.toMatchObject({ code: 'HOGWILD_MISSING_BLOB' });
    // The output exists (created empty when the net was instantiated) but holds nothing.
    expect(ws.kind('c')).toBe('empty');
    expect(() => ws.fetch('c')).toThrow(expect.objectContaining({ code: 'HOGWILD_MISSING_BLOB' }));
    await ws.run(simplePlan('init', [op('CreateCounter', [], ['counter'])]));
    expect(() => ws.fetch('counter')).toThrow(expect.objectContaining({ code: 'HOGWILD_BLOB_KIND' }));
    expect(() => ws.deserializeBlob('q', 'no-such-kind', ws.fetch('c') ?? { dtype: 'int64', shape: [1], data: new BigInt64Array(1) })).toThrow(HogwildError);
  });

  test('unknown op, unknown argument, wrong arity', () => {
    const bad = (o: ReturnType<typeof op>): PlanDef => simplePlan('p', [o]);
    expectBoth('HOGWILD_UNKNOWN_OP', () => compilePlan(bad(op('NoSuchOp', [], []))), () => raw.compilePlan(bad(op('NoSuchOp', [], []))), /Unknown operator 'NoSuchOp'/);
    const unknownArg = bad(op('Iter', [], ['i'], { bogus: 1 }));
    expectBoth('HOGWILD_UNKNOWN_ARGUMENT', () => compilePlan(unknownArg), () => raw.compilePlan(unknownArg), /Unknown argument 'bogus'/);
    const arity = bad(op('Add', ['a'], ['c']));
    expectBoth('HOGWILD_INVALID_ARGUMENT', () => compilePlan(arity), () => raw.compilePlan(arity));
  });

  test('NaN and other bad arguments', () => {
    const nan = simplePlan('p', [op('Sleep', [], [], { ms: NaN })]);
    expectBoth('HOGWILD_INVALID_ARGUMENT', () => compilePlan(nan), () => raw.compilePlan(nan), /Expected a number for plan.nets\[0\].ops\[0\].args.ms but received NaN/);
    for (const v of [[1, NaN], [1, 'a'], { a: 1 }, null, Symbol('s'), 10n]) {
      const p = simplePlan('p', [op('Sleep', [], [], { ms: v as never })]);
      expectBoth('HOGWILD_INVALID_ARGUMENT', () => compilePlan(p), () => raw.compilePlan(p));
    }
  });

  test('bad step fields', () => {
    const fields: Record<string, unknown[]> = {
      numIter: [-1, 1.5, NaN, '3', 2 ** 60],
      numConcurrentInstances: [0, -2, 1025, 1e9, 2.5],
      runEveryMs: [-1, 2 ** 40, 0.5],
      onlyOnce: [1, 'yes'],
      createWorkspace: [null],
      concurrentSubsteps: [0],
      shouldStopBlob: ['', 3],
      reportBlobs: ['x', [1]],
      nets: ['n', [null]],
      substeps: [{}, [3]],
    };
    for (const [field, values] of Object.entries(fields)) {
      for (const v of values) {
        const p = plan('p', [net('n')], [{ name: 's', nets: ['n'], [field]: v }]);
        expectBoth('HOGWILD_INVALID_ARGUMENT', () => compilePlan(p), () => raw.compilePlan(p), new RegExp(`plan\\.steps\\[0\\]\\.${field}`));
      }
    }
  });

  test('bad plan structure', () => {
    const cases: [string, unknown][] = [
      ['HOGWILD_INVALID_ARGUMENT', null],
      ['HOGWILD_INVALID_ARGUMENT', { name: 'p', nets: {}, steps: [] }],
      ['HOGWILD_INVALID_ARGUMENT', { name: 'p', nets: [{ name: '', ops: [] }], steps: [] }],
      ['HOGWILD_INVALID_PLAN', plan('p', [net('n'), net('n')], [])],
      ['HOGWILD_INVALID_PLAN', plan('p', [], [{ name: 's', nets: ['missing'] }])],
      ['HOGWILD_INVALID_PLAN', plan('p', [net('n')], [{ name: 's', nets: ['n'], substeps: [{ name: 'x', nets: ['n'] }] }])],
      ['HOGWILD_INVALID_PLAN', plan('p', [], [{ name: 's', numConcurrentInstances: 600, substeps: [{ name: 'a' }, { name: 'b' }] }])],
    ];
    for (const [code, p] of cases) expectBoth(code, () => compilePlan(p as PlanDef), () => raw.compilePlan(p as PlanDef));
  });

  test('self-referencing and deeply nested steps fail cleanly, without overflowing the stack', () => {
    const cyclic: { name: string; substeps: unknown[] } = { name: 's', substeps: [] };
    cyclic.substeps.push(cyclic);
    const p = plan('p', [], [cyclic as never]);
    expectBoth('HOGWILD_INVALID_PLAN', () => compilePlan(p), () => raw.compilePlan(p), /nested at most 64 deep/);
  });

  test('getters that throw propagate their error', () => {
    const boom = new Error('getter boom');
    const p = { name: 'p', steps: [], get nets(): never { throw boom; } };
    expect(() => raw.compilePlan(p as never)).toThrow(boom);
  });

  test('run with forged handles', async () => {
    const n = raw.createWorkspace();
    const cancel = raw.createCancel();
    const p = raw.compilePlan(simplePlan('p', []));
    expect(codeOf(() => n.run({ name: 'p' } as never, cancel))).toBe('HOGWILD_INVALID_ARGUMENT');
    expect(codeOf(() => n.run(p, {} as never))).toBe('HOGWILD_INVALID_ARGUMENT');
    expect(codeOf(() => n.run(cancel as never, p as never))).toBe('HOGWILD_INVALID_ARGUMENT');
    expect(codeOf(() => n.run(p, cancel, 3 as never))).toBe('HOGWILD_INVALID_ARGUMENT');
    await n.run(p, cancel, null);
    using ws = new Workspace();
    await expect(ws.run(p as never)).rejects.toBeInstanceOf(HogwildError);
    await expect(ws.run(simplePlan('p', []), { signal: 'x' as never })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
    await expect(ws.run(simplePlan('p', []), { onReport: 3 as never })).rejects.toMatchObject({ code: 'HOGWILD_INVALID_ARGUMENT' });
  });
});

describe('use after dispose', () => {
  test('every call throws DisposedError (HOGWILD_DISPOSED)', async () => {
    const ws = new Workspace();
    ws.feed('x', new Float32Array(1));
    ws.dispose();
    ws.dispose(); // idempotent
    expect(ws.disposed).toBe(true);
    const calls: (() => unknown)[] = [
      () => ws.feed('x', new Float32Array(1)),
      () => ws.fetch('x'),
      () => ws.has('x'),
      () => ws.list(),
      () => ws.kind('x'),
      () => ws.remove('x'),
      () => ws.createChild(),
      () => ws.serializeBlob('x'),
      () => ws.deserializeBlob('x', 'tensor', { dtype: 'float32', shape: [1], data: new Float32Array(1) }),
    ];
    for (const call of calls) expect(call).toThrow(expect.objectContaining({ code: 'HOGWILD_DISPOSED', name: 'DisposedError' }));
    await expect(ws.run(simplePlan('p', []))).rejects.toMatchObject({ code: 'HOGWILD_DISPOSED' });
  });

  test('the raw binding refuses too', async () => {
    const n = raw.createWorkspace();
    n.dispose();
    expect(n.disposed).toBe(true);
    expect(codeOf(() => n.fetch('x'))).toBe('HOGWILD_DISPOSED');
    expect(codeOf(() => n.list())).toBe('HOGWILD_DISPOSED');
    expect(codeOf(() => n.createChild())).toBe('HOGWILD_DISPOSED');
    expect(codeOf(() => n.run(raw.compilePlan(simplePlan('p', [])), raw.createCancel()))).toBe('HOGWILD_DISPOSED');
  });
});
