// Shared by the partitioned-data tests: Parquet partitions written with DuckDB,
// and a small bag-of-tokens softmax model trained Hogwild (a pipe processor).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { GradientSlice, list, ops, scalar, type BlobRecord, type BlobReference, type Net } from '../../../lib/index.js';

export const VOCAB = 40;
export const CLASSES = 3;
export const DIM = 4;

/** The record the model reads: a label, a fixed-shape float array and a token list. */
export const recordSchema = { label: 'int32', x: scalar('float32', [DIM]), tokens: list('int32') } as const;

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hogwild-parts-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs SQL statements on a fresh in-memory DuckDB. */
export async function duck(...statements: string[]): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    for (const s of statements) await conn.run(s);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** SELECT of rows [from, to): `id`, `label`, `x FLOAT[4]` (stored as a Parquet list) and 1–5 `tokens` that give the label away. */
export function rowsSql(from: number, to: number): string {
  return `SELECT i::BIGINT AS id, (i % ${CLASSES})::INTEGER AS label,
      [(i % 3) - 1, ((i * 7) % 5) / 5.0, 1 - (i % 3), 0.5]::FLOAT[${DIM}] AS x,
      list_slice([(i % 3) * 10 + (i % 7), (i % 3) * 10 + ((i * 3) % 7), 30 + (i % 9), (i % 3) * 10 + 9, 39], 1, 1 + (i % 5))::INTEGER[] AS tokens
    FROM range(${from}, ${to}) t(i)`;
}

/** Writes `sizes.length` Hive-style partitions `dir/day=<d>/part.parquet` (ids run on across them). */
export async function writePartitions(dir: string, sizes: readonly number[], rowGroupSize = 1000): Promise<string[]> {
  let at = 0;
  const stmts: string[] = [];
  const paths: string[] = [];
  sizes.forEach((n, d) => {
    const path = join(dir, `day=${d}`, 'part.parquet');
    paths.push(path);
    stmts.push(`COPY (${rowsSql(at, at + n)}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE ${rowGroupSize})`);
    at += n;
  });
  const { mkdirSync } = await import('node:fs');
  sizes.forEach((_, d) => mkdirSync(join(dir, `day=${d}`), { recursive: true }));
  await duck(...stmts);
  return paths;
}

/**
 * Softmax regression on [mean token embedding, x]: one SGD step per batch
 * record, updating the shared parameters in place (Hogwild). Zero-initialized,
 * so runs are reproducible with one thread.
 */
export class TokenModel {
  readonly name = 'token_model';
  constructor(private readonly _lr = 0.2) {}

  /** Parameter fills (an init-group net). */
  init(net: Net): void {
    net.GivenTensorFill([], ['tm/emb'], { shape: [VOCAB, DIM], values: Array.from({ length: VOCAB * DIM }, (_, i) => ((i * 37) % 11) / 110 - 0.05) });
    net.ConstantFill([], ['tm/w'], { shape: [CLASSES, 2 * DIM], value: 0, dtype: 'float32' });
    net.ConstantFill([], ['tm/b'], { shape: [CLASSES], value: 0, dtype: 'float32' });
    net.ConstantFill([], ['tm/one'], { shape: [1], value: 1, dtype: 'float32' });
    net.ConstantFill([], ['tm/neg_lr'], { shape: [1], value: -this._lr, dtype: 'float32' });
    net.ConstantFill([], ['tm/loss_sum'], { shape: [], value: 0, dtype: 'float32' });
  }

  /** The processor: forward, backward and update for one batch. */
  process(rec: BlobRecord): void {
    const net = ops.net();
    const bag = net.SparseLengthsMean(['tm/emb', rec.field('tokens:values'), rec.field('tokens:lengths')]);
    const [feat] = net.Concat([bag, rec.field('x')], 2, { axis: 1 });
    const [, loss] = net.SoftmaxWithLoss([net.FC([feat!, 'tm/w', 'tm/b']), rec.field('label')], 2);
    const grads = net.addGradientOperators(loss!);
    for (const p of ['tm/w', 'tm/b']) net.WeightedSum([p, 'tm/one', grads.get(p) as BlobReference, 'tm/neg_lr'], [p]);
    const g = grads.get('tm/emb') as GradientSlice;
    net.ScatterWeightedSum(['tm/emb', 'tm/one', g.indices, g.values, 'tm/neg_lr'], ['tm/emb']);
  }
}

export interface Row {
  label: number;
  x: number[];
  tokens: number[];
}

/** Rows [from, to) read back with DuckDB (per-row JS is fine in a test). */
export async function readRows(from: number, to: number): Promise<Row[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const r = await conn.run(rowsSql(from, to));
    return (await r.getRowObjectsJS()) as unknown as Row[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Accuracy of the model's current parameters on `rows`, computed in JS. */
export function accuracy(fetch: (blob: string) => Float32Array, rows: readonly Row[]): number {
  const emb = fetch('tm/emb'), w = fetch('tm/w'), b = fetch('tm/b');
  let correct = 0;
  for (const r of rows) {
    const feat = new Array<number>(2 * DIM).fill(0);
    for (const t of r.tokens) for (let j = 0; j < DIM; j++) feat[j]! += emb[t * DIM + j]! / r.tokens.length;
    for (let j = 0; j < DIM; j++) feat[DIM + j] = r.x[j]!;
    let best = 0, bestZ = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let z = b[c]!;
      for (let j = 0; j < 2 * DIM; j++) z += w[c * 2 * DIM + j]! * feat[j]!;
      if (z > bestZ) [best, bestZ] = [c, z];
    }
    if (best === r.label) correct++;
  }
  return correct / rows.length;
}
