import { test, expect } from 'vitest';
test('smoke', () => { using x = { [Symbol.dispose]() {} }; expect(1).toBe(1); });
