// The import graph of lib/: which file imports which, split into value and
// type-only edges, grouped by layer (the folder under lib/). The layering test
// (test/build/layering.test.ts) checks it against the rules in
// docs/architecture.md; run this file directly for the summary:
//   node scripts/import-graph.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ts } from 'ts-morph';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LIB = join(ROOT, 'lib');

// Lower rank = lower layer. A file may import (by value) only from a layer of
// lower or equal rank; docs/architecture.md explains each layer.
export const LAYER_RANK = {
  errors: 0,
  native: 1,
  runtime: 2,
  kernels: 3,
  util: 2,
  context: 3,
  net: 4,
  model: 5,
  job: 5,
  session: 6,
  data: 6,
  checkpoint: 7,
  apps: 8,
  distributed: 8,
  cli: 9,
  index: 10, // lib/index.ts, the public surface
};

// Only these folders may import lib/native/binding.ts by value (the raw addon).
export const RAW_BINDING_LAYERS = new Set(['native', 'runtime']);

function listTs(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

export function layerOf(file) {
  const rel = relative(LIB, file).split(sep);
  return rel.length === 1 ? 'index' : rel[0];
}

// True when the declaration brings in nothing but types (erased at runtime).
function isTypeOnly(node) {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return false; // side-effect import
    if (clause.isTypeOnly) return true;
    if (clause.name) return false;
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return false;
    return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    if (!clause || !ts.isNamedExports(clause)) return false;
    return clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  return false;
}

function resolveSpecifier(from, spec) {
  if (!spec.startsWith('.')) return null;
  const target = resolve(dirname(from), spec).replace(/\.js$/, '.ts');
  return target;
}

/** Every relative import/export-from edge in lib/: { from, to, typeOnly }. */
export function importEdges() {
  const edges = [];
  for (const file of listTs(LIB)) {
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    for (const node of src.statements) {
      if (!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) continue;
      const spec = node.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const to = resolveSpecifier(file, spec.text);
      if (!to) continue;
      edges.push({ from: file, to, typeOnly: isTypeOnly(node) });
    }
    // import('...') expressions load at runtime too: value edges.
    const visit = (n) => {
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const arg = n.arguments[0];
        if (arg && ts.isStringLiteral(arg)) {
          const to = resolveSpecifier(file, arg.text);
          if (to) edges.push({ from: file, to, typeOnly: false, dynamic: true });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return edges;
}

/**
 * Value-import cycles among static imports (Tarjan SCCs with more than one
 * file, or a self-loop). With `withTypes`, type-only edges count too (for the
 * summary only: those cycles are harmless at runtime).
 */
export function valueCycles(edges, withTypes = false) {
  const adj = new Map();
  for (const e of edges) {
    if ((e.typeOnly && !withTypes) || e.dynamic) continue;
    if (!adj.has(e.from)) adj.set(e.from, new Set());
    adj.get(e.from).add(e.to);
  }
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], sccs = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || adj.get(v)?.has(v)) sccs.push(scc.map((f) => relative(LIB, f)).sort());
    }
  };
  for (const v of adj.keys()) if (!idx.has(v)) strong(v);
  return sccs;
}

/** Value edges that go from a lower layer to a higher one. */
export function upwardImports(edges) {
  return edges
    .filter((e) => !e.typeOnly)
    .filter((e) => {
      const a = LAYER_RANK[layerOf(e.from)], b = LAYER_RANK[layerOf(e.to)];
      if (a === undefined || b === undefined) return true; // an unranked folder is a violation
      return b > a;
    })
    .map((e) => `${relative(LIB, e.from)} -> ${relative(LIB, e.to)}`);
}

/** Value edges into lib/native/binding.ts from outside the layers allowed to use it. */
export function rawBindingImports(edges) {
  const binding = join(LIB, 'native', 'binding.ts');
  return edges
    .filter((e) => !e.typeOnly && e.to === binding && !RAW_BINDING_LAYERS.has(layerOf(e.from)))
    .map((e) => relative(LIB, e.from));
}

/** Count of edges per (from layer -> to layer), value and type-only apart. */
export function layerSummary(edges) {
  const counts = new Map();
  for (const e of edges) {
    const key = `${layerOf(e.from)} -> ${layerOf(e.to)}`;
    const c = counts.get(key) ?? { value: 0, type: 0 };
    if (e.typeOnly) c.type++; else c.value++;
    counts.set(key, c);
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const edges = importEdges();
  console.log(`files: ${new Set(edges.map((e) => e.from)).size}, edges: ${edges.length} (value ${edges.filter((e) => !e.typeOnly).length}, type-only ${edges.filter((e) => e.typeOnly).length})`);
  console.log('\nedges per layer pair (value / type-only), cross-layer only:');
  for (const [k, c] of layerSummary(edges)) {
    const [a, b] = k.split(' -> ');
    if (a !== b) console.log(`  ${k.padEnd(28)} ${String(c.value).padStart(4)} / ${c.type}`);
  }
  const up = upwardImports(edges);
  console.log(`\nupward value imports: ${up.length}`);
  for (const u of up) console.log(`  ${u}`);
  const raw = rawBindingImports(edges);
  console.log(`\nraw binding imports outside native/runtime: ${raw.length}`);
  for (const r of raw) console.log(`  ${r}`);
  const cycles = valueCycles(edges);
  console.log(`\nvalue-import cycles (strongly connected groups): ${cycles.length}`);
  for (const c of cycles) console.log(`  [${c.length}] ${c.join(', ')}`);
  const all = valueCycles(edges, true);
  console.log(`cycles when type-only imports count too: ${all.length} (${all.map((c) => c.length).join(', ')} files)`);
}
