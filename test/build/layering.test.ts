// The one-way layering of lib/ (docs/architecture.md): no value import from a
// lower layer to a higher one, no value-import cycle between files, and the
// raw addon reached only through lib/native and lib/runtime. Type-only imports
// are erased at compile time, so they may point anywhere.
import { describe, expect, it } from 'vitest';

import { importEdges, layerOf, LAYER_RANK, rawBindingImports, upwardImports, valueCycles } from '../../scripts/import-graph.mjs';

interface Edge { from: string; to: string; typeOnly: boolean; dynamic?: boolean }

const edges: Edge[] = importEdges();

describe('lib/ layering', () => {
  it('sees the whole library', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => e.typeOnly)).toBe(true);
  });

  it('ranks every folder under lib/', () => {
    const unranked = [...new Set(edges.flatMap((e) => [layerOf(e.from), layerOf(e.to)]))].filter((l) => !(l in LAYER_RANK));
    expect(unranked, 'add the new folder to LAYER_RANK in scripts/import-graph.mjs and to docs/architecture.md').toEqual([]);
  });

  it('has no upward value import', () => {
    expect(upwardImports(edges)).toEqual([]);
  });

  it('has no value-import cycle', () => {
    expect(valueCycles(edges)).toEqual([]);
  });

  it('lets only lib/native and lib/runtime load the raw binding', () => {
    expect(rawBindingImports(edges)).toEqual([]);
  });

  // The checks themselves must be able to fail.
  it('flags an upward import, a cycle and a raw binding import when given one', () => {
    const lib = edges[0]!.from.replace(/lib[/\\].*$/, 'lib/');
    const fake: Edge[] = [
      { from: `${lib}net/Net.ts`, to: `${lib}job/Task.ts`, typeOnly: false },
      { from: `${lib}job/Task.ts`, to: `${lib}net/Net.ts`, typeOnly: false },
      { from: `${lib}data/files.ts`, to: `${lib}native/binding.ts`, typeOnly: false },
      { from: `${lib}net/Plan.ts`, to: `${lib}job/Job.ts`, typeOnly: true },
    ];
    expect(upwardImports(fake)).toEqual(['net/Net.ts -> job/Task.ts']);
    expect(valueCycles(fake)).toEqual([['job/Task.ts', 'net/Net.ts']]);
    expect(rawBindingImports(fake)).toEqual(['data/files.ts']);
  });
});
