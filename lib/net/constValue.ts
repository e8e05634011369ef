/**
 * `net.Const(value)` (docs/caffe2.md §1.2): picks the fill op from the value's type,
 * as Caffe2 did from the numpy dtype. JS numbers that are integers count as
 * int64 (Python ints); pass `dtype` to choose.
 */
import { InvalidArgumentError } from '../errors/index.js';
import type { ArgValue, DType } from '../native/coreTypes.js';

export type ConstScalar = number | bigint | boolean | string;
export type ConstValue =
  | ConstScalar
  | readonly ConstValue[]
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array;

const fillByDtype: Record<string, string> = {
  float32: 'GivenTensorFill',
  float64: 'GivenTensorDoubleFill',
  int32: 'GivenTensorIntFill',
  int64: 'GivenTensorInt64Fill',
  bool: 'GivenTensorBoolFill',
  string: 'GivenTensorStringFill',
};

export interface ConstOp {
  type: string;
  args: Record<string, ArgValue>;
}

function flatten(v: ConstValue, shape: number[], depth: number, out: ConstScalar[]): void {
  if (Array.isArray(v)) {
    if (shape.length === depth) shape.push(v.length);
    else if (shape[depth] !== v.length) {
      throw new InvalidArgumentError(`Expected a rectangular array for Const but received a ragged one at depth ${depth}`);
    }
    for (const x of v as readonly ConstValue[]) flatten(x, shape, depth + 1, out);
    return;
  }
  if (shape.length !== depth) {
    throw new InvalidArgumentError(`Expected a rectangular array for Const but received a ragged one at depth ${depth}`);
  }
  out.push(v as ConstScalar);
}

function kindOf(values: ConstScalar[]): 'int64' | 'float32' | 'bool' | 'string' {
  if (values.length > 0 && values.every((x) => typeof x === 'boolean')) return 'bool';
  if (values.length > 0 && values.every((x) => typeof x === 'string')) return 'string';
  if (values.every((x) => typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x)))) return 'int64';
  if (values.every((x) => typeof x === 'number' || typeof x === 'bigint')) return 'float32';
  throw new InvalidArgumentError(`Expected numbers, booleans or strings for Const but received a mix`);
}

/** The fill op and args that produce `value`. */
export function constOp(value: ConstValue, dtype?: DType | 'string'): ConstOp {
  if (typeof value === 'boolean' && dtype === undefined) {
    return { type: 'ConstantFill', args: { dtype: 'bool', value: value ? 1 : 0, shape: [] } };
  }
  let shape: number[];
  let values: ConstScalar[];
  let kind: string;
  if (ArrayBuffer.isView(value)) {
    shape = [value.length];
    values = Array.from(value as ArrayLike<number | bigint>);
    kind =
      value instanceof Float32Array ? 'float32'
      : value instanceof Float64Array ? 'float64'
      : value instanceof Int32Array ? 'int32'
      : 'int64';
  } else {
    shape = [];
    values = [];
    flatten(value, shape, 0, values);
    kind = kindOf(values);
  }
  kind = dtype ?? kind;
  const type = fillByDtype[kind];
  if (!type) throw new InvalidArgumentError(`Expected a dtype Const can fill for Const but received '${kind}'`);
  let argValues: ArgValue;
  if (kind === 'string') argValues = values.map(String);
  else if (kind === 'bool') argValues = values.map((x) => (x ? 1 : 0));
  else {
    argValues = values.map((x) => {
      const n = typeof x === 'bigint' ? Number(x) : Number(x);
      if (!Number.isFinite(n) && kind !== 'float32' && kind !== 'float64') {
        throw new InvalidArgumentError(`Expected finite numbers for Const but received ${String(x)}`);
      }
      return n;
    });
  }
  return { type, args: { shape, values: argValues } };
}
