// The typed op surface (lib/net/opTypes.ts) against the native registry:
// every registered op is a KnownOps member or an allow-listed internal
// gradient op, every member is registered (no stale names), and Op1/OpN
// match the op's output count. KnownOps is read from the source with
// ts-morph, so the check is on the real interface, not a copy of it.
import { join } from 'node:path';

import { Project } from 'ts-morph';
import { beforeAll, describe, expect, test } from 'vitest';

import { Net, ops } from '../../lib/index.js';
import type { OpSchemaInfo } from '../../lib/native/coreTypes.js';
import { registeredOpTypes, registryAvailable, schemaOf } from '../../lib/net/registry.js';
import { INTERNAL_GRADIENT_OPS } from '../../lib/net/opTypes.js';

const root = join(import.meta.dirname, '..', '..');

/** KnownOps members (name → 'Op1' | 'OpN'), and the interfaces that extend KnownOps. */
function readTypedSurface(): { members: Map<string, string>; extenders: string[] } {
  const project = new Project({ tsConfigFilePath: join(root, 'tsconfig.json'), skipAddingFilesFromTsConfig: true });
  const opTypes = project.addSourceFileAtPath(join(root, 'lib', 'net', 'opTypes.ts'));
  const known = opTypes.getInterfaceOrThrow('KnownOps');
  const members = new Map<string, string>();
  for (const p of known.getProperties()) members.set(p.getName(), p.getTypeNodeOrThrow().getText());
  const extenders: string[] = [];
  for (const [file, name] of [
    ['Net.ts', 'Net'],
    ['ops.ts', 'Operations'],
  ] as const) {
    const sf = project.addSourceFileAtPath(join(root, 'lib', 'net', file));
    const decls = sf.getInterfaces().filter((i) => i.getName() === name);
    if (decls.some((i) => i.getExtends().some((e) => e.getText() === 'KnownOps'))) extenders.push(name);
  }
  return { members, extenders };
}

let members: Map<string, string>;
let extenders: string[];
let registered: string[];

beforeAll(() => {
  ({ members, extenders } = readTypedSurface());
  registered = registeredOpTypes();
});

describe('KnownOps covers the native registry', () => {
  test('the registry is loaded (else this file checks nothing)', () => {
    expect(registryAvailable()).toBe(true);
    expect(registered.length).toBeGreaterThan(100);
    expect(members.size).toBeGreaterThan(90);
  });

  test('every registered op is typed or an allow-listed internal gradient op', () => {
    const allowed = new Set(INTERNAL_GRADIENT_OPS);
    const untyped = registered.filter((t) => !members.has(t) && !allowed.has(t));
    expect(untyped, 'registered ops missing from KnownOps (lib/net/opTypes.ts)').toEqual([]);
  });

  test('every typed op is registered (no stale or misspelled members)', () => {
    const known = new Set(registered);
    expect([...members.keys()].filter((t) => !known.has(t)), 'KnownOps members the registry does not have').toEqual([]);
  });

  test('the allow-list holds registered gradient ops only, none of them typed', () => {
    const known = new Set(registered);
    expect(INTERNAL_GRADIENT_OPS.filter((t) => !known.has(t)), 'allow-listed but not registered').toEqual([]);
    expect(INTERNAL_GRADIENT_OPS.filter((t) => !/Grad(ient)?$/.test(t)), 'allow-listed but not a gradient op').toEqual([]);
    expect(INTERNAL_GRADIENT_OPS.filter((t) => members.has(t)), 'both typed and allow-listed').toEqual([]);
    expect(new Set(INTERNAL_GRADIENT_OPS).size).toBe(INTERNAL_GRADIENT_OPS.length);
  });

  test('Op1 exactly for ops with one output, OpN for the others', () => {
    const wrong: string[] = [];
    for (const [type, sig] of members) {
      const s = schemaOf(type) as OpSchemaInfo;
      const want = s.minOutputs === 1 && s.maxOutputs === 1 ? 'Op1' : 'OpN';
      if (sig !== want) wrong.push(`${type}: ${sig}, outputs ${s.minOutputs}..${s.maxOutputs} → ${want}`);
    }
    expect(wrong).toEqual([]);
  });

  test('Net and ops extend KnownOps, and each member is a method at run time', () => {
    expect(extenders).toEqual(['Net', 'Operations']);
    const net = new Net('n') as unknown as Record<string, unknown>;
    const o = ops as unknown as Record<string, unknown>;
    expect([...members.keys()].filter((t) => typeof net[t] !== 'function' || typeof o[t] !== 'function')).toEqual([]);
  });

  test('the ops the gaps were about are typed and build', () => {
    for (const t of ['SparseLengthsWeightedSum', 'CreateTreeCursor', 'ReadNextBatch', 'CreateBlobsQueue', 'SafeDequeueBlobs', 'SparseToDense']) {
      expect(members.has(t), t).toBe(true);
    }
    const net = new Net('typed');
    const pooled = net.SparseLengthsWeightedSum(['emb', 'w', 'ids', 'len']);
    const cursor = net.CreateTreeCursor([], ['cursor'], { fields: ['a', 'b:lengths', 'b:values'] });
    const q = net.CreateBlobsQueue([], ['q'], { capacity: 4, num_blobs: 1 });
    const [x, status] = net.SafeDequeueBlobs([q], ['x', 'status']);
    expect([pooled.name, cursor.name, x!.name, status!.name]).toEqual(['typed/SparseLengthsWeightedSum', 'cursor', 'x', 'status']);
  });
});
