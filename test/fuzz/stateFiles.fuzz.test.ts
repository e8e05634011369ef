// Mutation fuzzing (seeded, reproducible) of what the CLI and the model loader
// read back from disk: the settings file `hogwild-supervised.json`, the
// checkpoint manifest `<node>.manifest.json`, and the fastText dictionary
// record of a model (TypeScript parser and native loader, over the libFuzzer
// seeds in test/fasttext-dictionary-corpus/ and their mutations). Every input
// must be accepted or refused with the CLI's own error (exit 2/3) or a
// HogwildError — never a TypeError, a crash or a hang. The native dictionary
// reader is also fuzzed with libFuzzer: scripts/fuzz-fasttext-dictionary.sh.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, test } from 'vitest';

import { parseDictionaryRecord } from '../../lib/apps/fasttext/dictionaryRecord.js';
import { resolveFastTextOptions } from '../../lib/apps/fasttext/options.js';
import { CheckpointLedger, manifestPath } from '../../lib/cli/checkpointManifest.js';
import { CliError } from '../../lib/cli/exitCodes.js';
import { openSupervisedState, RUN_FILE } from '../../lib/cli/trainingState.js';
import { HogwildError, Workspace } from '../../lib/index.js';

const ROUNDS = Number(process.env.HOGWILD_FUZZ_ROUNDS ?? 240);
const dirs: string[] = [];
const mkdtemp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hw-fuzz-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** xorshift32: the same mutations on every run. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const JSON_VALUES = ['null', '[]', '{}', '"x"', '-1', '1e309', 'true', '0.5', '"../.."', '[1,"a"]', '9007199254740993', '{"__proto__":{"x":1}}'];

/** One mutation of `bytes`: bit flip, byte set, truncation, deletion, duplication, or (JSON) a value swapped for another type. */
function mutate(bytes: Buffer, r: (n: number) => number, json: boolean): Buffer {
  const b = Buffer.from(bytes);
  switch (r(json ? 8 : 6)) {
    case 0:
      if (b.length) {
        const at = r(b.length);
        b[at] = b[at]! ^ (1 << r(8));
      }
      return b;
    case 1:
      if (b.length) b[r(b.length)] = r(256);
      return b;
    case 2:
      return b.subarray(0, r(b.length + 1));
    case 3: {
      const at = r(b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r(8)))]);
    }
    case 4: {
      const at = r(b.length + 1);
      return Buffer.concat([b.subarray(0, at), b.subarray(at, Math.min(b.length, at + r(16))), b.subarray(at)]);
    }
    case 5: {
      // A 32-bit little-endian field set to an edge value.
      if (b.length < 4) return b;
      const at = r(b.length - 3);
      b.writeUInt32LE([0, 1, 0x7fffffff, 0xffffffff, 0x100000][r(5)]!, at);
      return b;
    }
    case 6:
      // The whole document another JSON value.
      return Buffer.from(JSON_VALUES[r(JSON_VALUES.length)]!);
    default: {
      // Replace one JSON value (after a ':' or '[' or ',') with a value of another type.
      const text = b.toString('utf8');
      const spots = [...text.matchAll(/[:[,]\s*/g)].map((m) => m.index! + m[0].length);
      if (!spots.length) return b;
      const at = spots[r(spots.length)]!;
      const end = /^("(?:[^"\\]|\\.)*"|[^,}\]]*)/.exec(text.slice(at))![0].length;
      return Buffer.from(text.slice(0, at) + JSON_VALUES[r(JSON_VALUES.length)]! + text.slice(at + end));
    }
  }
}

/** Runs `read` on `rounds` mutations (1 to 4 stacked) of each seed; `allowed` tells an expected refusal. */
function fuzz(seeds: Buffer[], json: boolean, read: (b: Buffer) => unknown, allowed: (err: unknown) => boolean, seed: number, rounds = ROUNDS): { accepted: number; refused: number } {
  const r = rng(seed);
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < rounds; i++) {
    let b = seeds[i % seeds.length]!;
    for (let k = 1 + r(4); k > 0; k--) b = mutate(b, r, json);
    try {
      read(b);
      accepted++;
    } catch (err) {
      if (!allowed(err)) throw new Error(`input #${i} (${JSON.stringify(b.toString('latin1').slice(0, 300))}) threw ${(err as Error)?.stack ?? String(err)}`);
      refused++;
    }
  }
  return { accepted, refused };
}

describe('mutation fuzzing of files the CLI reads back', () => {
  test('settings file: accepted, or refused with exit 2/3 (never a TypeError)', () => {
    const dir = mkdtemp();
    const input = join(dir, 'train.txt');
    writeFileSync(input, '__label__a x\n');
    const resolved = resolveFastTextOptions({ input, dim: 8 });
    const seed = Buffer.from(`${JSON.stringify({ ...resolved, input, inputPath: input }, null, 2)}\n`);
    const file = join(dir, 'ck', RUN_FILE);
    openSupervisedState(join(dir, 'ck'), join(dir, 'm.bin'), resolved, input, false).release();
    const n = fuzz(
      [seed],
      true,
      (b) => {
        writeFileSync(file, b);
        openSupervisedState(join(dir, 'ck'), join(dir, 'm.bin'), resolved, input, true).release();
      },
      (err) => err instanceof CliError && (err.exitCode === 2 || err.exitCode === 3),
      1,
      Math.ceil(ROUNDS / 2), // each one takes and releases two lock files (fsyncs)
    );
    console.log(`fuzz settings file: ${Math.ceil(ROUNDS / 2)} inputs, ${n.accepted} accepted, ${n.refused} refused`);
    expect(n.refused).toBeGreaterThan(0);
  });

  test('checkpoint manifest: accepted, or refused with exit 3', async () => {
    const dir = mkdtemp();
    const seed = Buffer.from(`${JSON.stringify({ version: 1, node: 'fasttext', run: 'ab12', epochs: [1, 2], previous: [0] }, null, 1)}\n`);
    const seen: { b: Buffer }[] = [];
    const n = fuzz([seed], true, (b) => seen.push({ b }), () => false, 2);
    let refused = 0;
    for (const { b } of seen) {
      writeFileSync(manifestPath(dir, 'fasttext'), b);
      try {
        const ledger = await CheckpointLedger.open(dir, 'fasttext', true);
        expect(ledger.epochs.every((e) => Number.isSafeInteger(e) && e >= 0)).toBe(true);
      } catch (err) {
        if (!(err instanceof CliError && err.exitCode === 3)) throw new Error(`manifest ${JSON.stringify(b.toString('latin1'))} threw ${(err as Error).stack}`);
        refused++;
      }
    }
    console.log(`fuzz manifest: ${n.accepted} inputs, ${n.accepted - refused} accepted, ${refused} refused`);
    expect(refused).toBeGreaterThan(0);
  });

  test('fastText dictionary record: the TypeScript parser and the native loader accept or throw a HogwildError', () => {
    const corpus = join(import.meta.dirname, '..', 'fasttext-dictionary-corpus');
    const seeds = readdirSync(corpus).map((f) => readFileSync(join(corpus, f)));
    expect(seeds.length).toBeGreaterThanOrEqual(3);
    const ws = new Workspace();
    try {
      const read = (b: Buffer) => {
        let nativeOk = true;
        try {
          ws.deserializeBlob('d', 'fastTextDictionary', { dtype: 'uint8', shape: [b.length], data: new Uint8Array(b) });
        } catch (err) {
          if (!(err instanceof HogwildError && err.code === 'HOGWILD_CHECKPOINT_CORRUPT')) throw err;
          nativeOk = false;
        }
        const info = parseDictionaryRecord(b);
        // What the native loader accepts, the TypeScript reader must read to the same labels.
        if (nativeOk) expect(info.labels.every((l) => typeof l === 'string')).toBe(true);
      };
      for (const s of seeds) read(s);
      const n = fuzz(seeds, false, read, (err) => err instanceof HogwildError, 3);
      console.log(`fuzz dictionary record: ${ROUNDS} inputs, ${n.accepted} accepted, ${n.refused} refused`);
      expect(n.refused).toBeGreaterThan(0);
    } finally {
      ws.dispose?.();
    }
  });
});
