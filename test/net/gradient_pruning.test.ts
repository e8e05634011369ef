// addGradientOperators prunes: no gradient (and no work) for blobs no
// parameter reaches. Counts the ops and GEMM FLOPs of the MLP's backward net
// (784-256-10, batch 64: the data input's dX is one 64×784×256 GEMM), and
// checks that the pruned gradients are the unpruned ones and match central
// differences.
import { afterAll, describe, expect, test } from 'vitest';

import { InvalidArgumentError, LocalSession, ModelHelper, Net, type OpDef } from '../../lib/index.js';
import { rng } from '../job-helpers.js';

const sessions: LocalSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.close();
});

function mlp(net: Net, params?: string[]): Map<string, unknown> {
  const h = net.Relu(net.FC(['x', 'w1', 'b1'], ['h']), ['r']);
  const logits = net.FC([h, 'w2', 'b2'], ['logits']);
  net.SoftmaxWithLoss([logits, 'label'], ['probs', 'loss']);
  return net.addGradientOperators('loss', params ? { params } : {});
}

/** GEMM FLOPs of the backward ops: each FCGradient output but db is an M×N×K product. */
function backwardGemmFlops(ops: readonly OpDef[], shapes: Record<string, number[]>): number {
  let flops = 0;
  for (const op of ops) {
    if (op.type !== 'FCGradient') continue;
    const [m, k] = shapes[op.inputs[0]!]!;
    const n = shapes[op.inputs[1]!]![0]!;
    const gemms = op.outputs.length - 1;  // dW, and dX when present
    flops += gemms * 2 * m! * n * k!;
  }
  return flops;
}

const B = 64, D = 784, H = 256, C = 10;
const mlpShapes = { x: [B, D], w1: [H, D], r: [B, H], w2: [C, H] };

describe('gradient pruning', () => {
  test('MLP backward: no dX GEMM for the data input, one third fewer GEMM FLOPs', () => {
    const full = new Net('full');
    const fullGrads = mlp(full);
    const pruned = new Net('pruned');
    const grads = mlp(pruned, ['w1', 'b1', 'w2', 'b2']);
    const backward = (n: Net) => n.ops.slice(4);
    expect(backward(pruned).map((o) => o.type)).toEqual(['ConstantFill', 'SoftmaxWithLossGradient', 'FCGradient', 'ReluGradient', 'FCGradient']);
    expect(backward(full).map((o) => o.type)).toEqual(backward(pruned).map((o) => o.type));
    const fc1 = backward(pruned).at(-1)!;
    expect(fc1.outputs).toEqual(['w1_grad', 'b1_grad']);
    expect(backward(full).at(-1)!.outputs).toEqual(['w1_grad', 'b1_grad', 'x_grad']);
    expect(grads.has('x')).toBe(false);
    for (const p of ['w1', 'b1', 'w2', 'b2', 'h', 'r', 'logits']) expect(grads.has(p), p).toBe(true);
    expect(fullGrads.has('x')).toBe(true);
    const before = backwardGemmFlops(backward(full), mlpShapes);
    const after = backwardGemmFlops(backward(pruned), mlpShapes);
    expect(before).toBe(2 * (2 * B * H * D) + 2 * (2 * B * C * H));
    expect(after).toBe(2 * B * H * D + 2 * (2 * B * C * H));
    expect(after / before).toBeLessThan(0.51);
  });

  test('default: blobs computed by non-differentiable ops get nothing; fed inputs still do', () => {
    const net = new Net('n');
    net.ConstantFill([], ['x'], { shape: [2, 3], value: 0.5, dtype: 'float32' });
    net.Scale(['x'], ['xs'], { scale: 2 });  // differentiable, but reached by no parameter
    mlpFrom(net, 'xs');
    const grads = net.addGradientOperators('loss');
    expect(grads.has('x') || grads.has('xs')).toBe(false);
    expect(net.ops.some((o) => o.type === 'ScaleGradient' || (o.type === 'Scale' && o.inputs[0] === 'xs_grad'))).toBe(false);
    expect(net.ops.find((o) => o.type === 'FCGradient' && o.inputs[0] === 'xs')!.outputs).toEqual(['w1_grad', 'b1_grad']);
    expect(grads.has('w1')).toBe(true);
  });

  test('ModelHelper differentiates its parameters only', () => {
    const model = new ModelHelper({ name: 'm' });
    const h = model.relu(model.fc('data', 'fc1', 4, 8));
    const [, loss] = model.softmaxWithLoss(model.fc(h, 'fc2', 8, 3), 'label');
    const grads = model.addGradientOperators(loss);
    expect([...grads.keys()].sort()).toEqual(['fc1_b', 'fc1_w', 'fc2_b', 'fc2_w']);
    expect(model.net.ops.find((o) => o.type === 'FCGradient' && o.inputs[0] === 'data')!.outputs).toEqual(['fc1_w_grad', 'fc1_b_grad']);
  });

  test('pruned gradients equal the unpruned ones and central differences', async () => {
    const session = new LocalSession();
    sessions.push(session);
    const ws = session.workspace;
    const rand = rng(11);
    const randn = (n: number, s = 1) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);
    const n = 4, d = 5, h = 6, c = 3;
    const feeds = {
      x: { shape: [n, d], data: randn(n * d) },
      w1: { shape: [h, d], data: randn(h * d) },
      b1: { shape: [h], data: randn(h, 0.1) },
      w2: { shape: [c, h], data: randn(c * h) },
      b2: { shape: [c], data: randn(c, 0.1) },
    };
    const feed = (over: Partial<Record<keyof typeof feeds, Float32Array>> = {}) => {
      for (const [k, v] of Object.entries(feeds)) ws.feed(k, { dtype: 'float32', shape: v.shape, data: over[k as keyof typeof feeds] ?? v.data });
      ws.feed('label', { dtype: 'int32', shape: [n], data: new Int32Array([0, 2, 1, 2]) });
    };
    const params = ['w1', 'b1', 'w2', 'b2'] as const;
    const fetchAll = () => Object.fromEntries(params.map((p) => [p, Array.from(ws.fetch(`${p}_grad`).data as Float32Array)]));
    const full = new Net('full');
    mlp(full);
    feed();
    await session.run(full);
    const expected = fetchAll();
    const pruned = new Net('pruned');
    mlp(pruned, [...params]);
    feed();
    await session.run(pruned);
    expect(fetchAll()).toEqual(expected);

    const fwd = new Net('fwd');
    const r = fwd.Relu(fwd.FC(['x', 'w1', 'b1'], ['h']), ['r']);
    fwd.SoftmaxWithLoss([fwd.FC([r, 'w2', 'b2'], ['logits']), 'label'], ['probs', 'loss']);
    const eps = 1e-2;
    for (const p of params) {
      for (const i of [0, feeds[p].data.length - 1]) {
        const at = (delta: number) => {
          const v = feeds[p].data.slice();
          v[i] += delta;
          return v;
        };
        feed({ [p]: at(eps) });
        await session.run(fwd);
        const lp = Number(ws.fetch('loss').data[0]);
        feed({ [p]: at(-eps) });
        await session.run(fwd);
        const lm = Number(ws.fetch('loss').data[0]);
        const numeric = (lp - lm) / (2 * eps);
        expect(Math.abs(expected[p]![i]! - numeric), `${p}[${i}]`).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
      }
    }
  });

  test('bad params are rejected', () => {
    const net = new Net('n');
    expect(() => mlp(net, [''])).toThrow(InvalidArgumentError);
  });
});

function mlpFrom(net: Net, input: string): void {
  const h = net.Relu(net.FC([input, 'w1', 'b1'], ['h']), ['r']);
  net.SoftmaxWithLoss([net.FC([h, 'w2', 'b2'], ['logits']), 'label'], ['probs', 'loss']);
}
