// ModelHelper's fused FC + ReLU layer: one FCRelu op forward, one
// FCReluGradient backward (no Relu/ReluGradient pair), the same values as the
// unfused layer, and bad activations rejected.
import { afterAll, expect, test } from 'vitest';

import { InvalidArgumentError, LocalSession, ModelHelper } from '../../lib/index.js';

const session = new LocalSession();
afterAll(() => session.close());

function build(fused: boolean): ModelHelper {
  const model = new ModelHelper({ name: fused ? 'fused' : 'plain', seed: 5 });
  const h = fused ? model.fc('data', 'fc1', 6, 9, { activation: 'relu' }) : model.relu(model.fc('data', 'fc1', 6, 9));
  const [, loss] = model.softmaxWithLoss(model.fc(h, 'fc2', 9, 3), 'label');
  model.addGradientOperators(loss);
  return model;
}

test('fc with activation relu is one fused op and gives the unfused values', async () => {
  const fused = build(true);
  const plain = build(false);
  const types = fused.net.ops.map((o) => o.type);
  expect(types.filter((t) => t === 'FCRelu' || t === 'FCReluGradient')).toEqual(['FCRelu', 'FCReluGradient']);
  expect(types).not.toContain('Relu');
  expect(types).not.toContain('ReluGradient');
  const ws = session.workspace;
  ws.feed('data', { dtype: 'float32', shape: [4, 6], data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7)) });
  ws.feed('label', { dtype: 'int32', shape: [4], data: new Int32Array([0, 1, 2, 1]) });
  const out: Record<string, number[]>[] = [];
  for (const m of [fused, plain]) {
    await session.run(m.paramInitNet);
    await session.run(m.net);
    out.push(Object.fromEntries(['loss', 'fc1_w_grad', 'fc1_b_grad', 'fc2_w_grad'].map((b) => [b, Array.from(ws.fetch(b).data as Float32Array)])));
  }
  for (const [k, v] of Object.entries(out[0]!)) {
    v.forEach((x, i) => expect(x, `${k}[${i}]`).toBeCloseTo(out[1]![k]![i]!, 5));
  }
});

test('an unknown activation is rejected', () => {
  const model = new ModelHelper();
  expect(() => model.fc('x', 'fc', 2, 2, { activation: 'gelu' as 'relu' })).toThrow(InvalidArgumentError);
});
