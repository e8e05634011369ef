/**
 * Turns what users feed (a typed array, or { dtype, shape, data }) into the
 * native feed arguments, checked.
 */
import type { DType, TypedArray } from '../native/coreTypes.js';
import { checkInteger, checkArray, expected } from './validate.js';

/** A typed array (shape [length], dtype from its type) or an explicit tensor. */
export type TensorInput = TypedArray | { dtype?: DType; shape?: readonly number[]; data: TypedArray };

const arrayTypeOf: Record<DType, { ctor: abstract new (...a: never[]) => TypedArray; name: string }> = {
  float32: { ctor: Float32Array, name: 'a Float32Array' },
  float64: { ctor: Float64Array, name: 'a Float64Array' },
  int32: { ctor: Int32Array, name: 'an Int32Array' },
  int64: { ctor: BigInt64Array, name: 'a BigInt64Array' },
  uint8: { ctor: Uint8Array, name: 'a Uint8Array' },
  bool: { ctor: Uint8Array, name: 'a Uint8Array' },
};

function dtypeOf(data: TypedArray): DType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  return undefined;
}

export function toFeed(value: unknown, name: string): { dtype: DType; shape: number[]; data: TypedArray } {
  const explicit = typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Array.isArray(value);
  const v = (explicit ? value : { data: value }) as { dtype?: unknown; shape?: unknown; data?: unknown };
  const dataName = explicit ? `${name}.data` : name;
  const data = v.data;
  const inferred = ArrayBuffer.isView(data) ? dtypeOf(data as TypedArray) : undefined;
  if (inferred === undefined) {
    throw expected('a Float32Array, Float64Array, Int32Array, BigInt64Array or Uint8Array', dataName, data);
  }
  let dtype: DType = inferred;
  if (v.dtype !== undefined) {
    if (typeof v.dtype !== 'string' || !(v.dtype in arrayTypeOf)) {
      throw expected('one of float32, float64, int32, int64, uint8, bool', `${name}.dtype`, v.dtype, 'HOGWILD_DTYPE_MISMATCH');
    }
    dtype = v.dtype as DType;
    const want = arrayTypeOf[dtype];
    if (!(data instanceof want.ctor)) throw expected(`${want.name} (dtype ${dtype})`, dataName, data, 'HOGWILD_DTYPE_MISMATCH');
  }
  const typed = data as TypedArray;
  let shape: number[] = [typed.length];
  if (v.shape !== undefined) {
    const dims = checkArray(v.shape, `${name}.shape`);
    shape = dims.map((d, i) => checkInteger(d, `${name}.shape[${i}]`, 0));
    const numel = shape.reduce((a, b) => a * b, 1);
    if (numel !== typed.length) {
      throw expected(`${numel} elements (shape [${shape.join(', ')}])`, dataName, typed, 'HOGWILD_SHAPE_MISMATCH');
    }
  }
  return { dtype, shape, data: typed };
}
