/**
 * Collectives over a workspace's blobs, run between plan runs (nothing else
 * writes the blobs then): the named float32 blobs are packed into one buffer,
 * reduced or broadcast in one collective, and fed back with their shapes.
 */
import { HogwildError, InvalidArgumentError, ShapeError } from '../errors/index.js';
import type { Workspace } from '../runtime/Workspace.js';
import type { Session } from '../session/Session.js';
import type { ProcessGroup, ReduceOp } from './ProcessGroup.js';

function workspaceOf(session: Session): Workspace {
  const ws = (session as unknown as { workspace?: Workspace }).workspace;
  if (!ws || typeof ws !== 'object' || typeof ws.fetch !== 'function') {
    throw new InvalidArgumentError('Expected a session with a workspace (LocalSession) for a blob collective');
  }
  return ws;
}

function pack(ws: Workspace, names: readonly string[]): { buffer: Float32Array; shapes: number[][] } {
  const parts: Float32Array[] = [];
  const shapes: number[][] = [];
  for (const name of names) {
    if (!ws.has(name)) throw new HogwildError('HOGWILD_MISSING_BLOB', `Expected blob '${name}' in the workspace for a collective but it does not exist`);
    const t = ws.fetch(name);
    if (!(t.data instanceof Float32Array)) throw new ShapeError('HOGWILD_DTYPE_MISMATCH', `Expected blob '${name}' to be float32 for a collective but it is ${t.dtype}`);
    parts.push(t.data);
    shapes.push(t.shape);
  }
  const buffer = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    buffer.set(p, at);
    at += p.length;
  }
  return { buffer, shapes };
}

function unpack(ws: Workspace, names: readonly string[], buffer: Float32Array, shapes: number[][]): void {
  let at = 0;
  names.forEach((name, i) => {
    const shape = shapes[i]!;
    const n = shape.reduce((a, b) => a * b, 1);
    ws.feed(name, { dtype: 'float32', shape, data: buffer.slice(at, at + n) });
    at += n;
  });
}

/** Every rank must pack the same number of floats; a mismatch fails on all ranks (no garbage, no hang). */
async function checkSameSize(group: ProcessGroup, size: number, names: readonly string[]): Promise<void> {
  const lo = new Float32Array([size]);
  const hi = new Float32Array([size]);
  await group.allreduce(lo, { op: 'min' });
  await group.allreduce(hi, { op: 'max' });
  if (lo[0] !== hi[0])
    throw new ShapeError('HOGWILD_SHAPE_MISMATCH', `Expected blobs ${names.join(', ')} to have the same sizes on every rank but they hold ${lo[0]} to ${hi[0]} floats`);
}

/** Reduces the named float32 blobs across ranks in place ('mean' averages a model). */
export async function allreduceBlobs(session: Session, group: ProcessGroup, names: readonly string[], op: ReduceOp = 'mean'): Promise<void> {
  const ws = workspaceOf(session);
  const { buffer, shapes } = pack(ws, names);
  await checkSameSize(group, buffer.length, names);
  await group.allreduce(buffer, { op });
  unpack(ws, names, buffer, shapes);
}

/** Copies rank `root`'s named float32 blobs to every rank. */
export async function broadcastBlobs(session: Session, group: ProcessGroup, names: readonly string[], root = 0): Promise<void> {
  const ws = workspaceOf(session);
  const { buffer, shapes } = pack(ws, names);
  await checkSameSize(group, buffer.length, names);
  await group.broadcast(buffer, root);
  unpack(ws, names, buffer, shapes);
}
