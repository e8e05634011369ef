// SharedModel and Admission of the example server, without training: a fake
// model counts its disposals, so the reference counting is checked exactly.
import { expect, test } from 'vitest';

import type { FastTextModel } from 'hogwild';

import { Admission } from '../../examples/server/admission.js';
import { HttpError } from '../../examples/server/http.js';
import { SharedModel } from '../../examples/server/SharedModel.js';

function fakeModel() {
  const m = { disposals: 0, dispose: async () => void m.disposals++ };
  return m;
}

test('a retired model is freed only when its last user releases it, exactly once', async () => {
  const m = fakeModel();
  const shared = new SharedModel(3, Promise.resolve(m as unknown as FastTextModel));
  const a = await shared.acquire();
  const b = await shared.acquire();
  expect(a.epoch).toBe(3);
  let freed = false;
  const retired = shared.retire().then(() => (freed = true));
  await expect(shared.acquire()).rejects.toThrow(/retired/);
  a.release();
  a.release(); // a second release of the same lease does not count twice
  await Promise.resolve();
  expect(m.disposals).toBe(0);
  expect(shared.users).toBe(1);
  b.release();
  await retired;
  expect(freed).toBe(true);
  expect(m.disposals).toBe(1);
  await shared.retire();
  expect(m.disposals).toBe(1);
});

test('a user counted before the load resolves keeps the model alive through a retire', async () => {
  const m = fakeModel();
  let resolve!: (x: FastTextModel) => void;
  const shared = new SharedModel(1, new Promise<FastTextModel>((r) => (resolve = r)));
  const pending = shared.acquire(); // counted now, model not loaded yet
  void shared.retire();
  resolve(m as unknown as FastTextModel);
  const lease = await pending;
  expect(m.disposals).toBe(0);
  lease.release();
  await shared.retire();
  expect(m.disposals).toBe(1);
});

test('a failed load rejects its users and frees nothing', async () => {
  const shared = new SharedModel(1, Promise.reject(new Error('gone')));
  await expect(shared.acquire()).rejects.toThrow('gone');
  expect(shared.users).toBe(0);
  await shared.retire();
  expect(shared.disposed).toBe(true);
});

test('Admission: slots are taken synchronously, refused with 429 + Retry-After, released once', () => {
  const a = new Admission(2, 7);
  const r1 = a.reserve();
  const r2 = a.reserve();
  let err: unknown;
  try {
    a.reserve();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(HttpError);
  expect((err as HttpError).status).toBe(429);
  expect((err as HttpError).headers).toEqual({ 'retry-after': '7' });
  r1();
  r1();
  expect(a.used).toBe(1);
  a.reserve();
  expect(a.used).toBe(2);
  r2();
  expect(a.used).toBe(1);
});
