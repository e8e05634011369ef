/**
 * Word vectors: `hogwild cbow|skipgram` against `fasttext cbow|skipgram` with
 * the same flags (dim 100, 1 epoch, fastText's defaults otherwise: ws 5, neg
 * 5, minCount 5, character n-grams 3–6 in 2M buckets, t 1e-4) on 1 and 2
 * threads, on a generated ~10M-token corpus with planted word classes
 * (lib/apps/wordvectors/corpus.ts: 50 classes of 100 words, 5 000 shared
 * words, 30 % of a line's tokens from its class).
 *
 * --quick (a smoke run): 100k tokens and 10 000 buckets, for both programs.
 *
 * tokens/s is the corpus's tokens over the wall time of the whole command
 * (dictionary, training, writing .bin and .vec), what a user waits for; both
 * programs do the same work around the training. The 2-thread rows note the
 * speedup over 1 thread.
 *
 * Quality: nearest-neighbour class purity of the planted classes (the
 * fraction of each class word's 10 nearest class words, by cosine of the
 * centred vectors, that share its class; 1/50 for vectors without class
 * information). It is computed the same way from each program's .vec, needs
 * no external data set, and measures what word vectors are for: words used in
 * the same contexts end up close. Its run-to-run noise is the spread of
 * repeated runs (--repeat).
 *
 * Standalone:
 *   npx tsc -p bench/tsconfig.json && node dist-bench/bench/wordvectors.js [--quick]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { classPurity, wordVectorsCorpus, type PlantedClasses } from '../lib/index.js';
import { parseVec } from '../lib/apps/fasttext/fastTextBin/vec.js';
import { repoRoot } from './harness/paths.js';
import { peerRow } from './harness/peerRow.js';
import type { BenchRow, SuiteOptions } from './harness/types.js';
import { runFasttextWordVectors, runWordVectorsCommand, wordVectorsFlags, type WordVectorsRun } from './peers/fasttext.js';
import type { PeerOutcome } from './peers/types.js';

const MODELS = ['cbow', 'skipgram'] as const;
const THREADS = [1, 2];
const DIM = 100;
const EPOCHS = 1;
const CORPUS = { classes: 50, classWords: 100, sharedWords: 5000, signal: 0.3, lineTokens: 20, seed: 11 };

/** The corpus file and its planted classes, generated once into the cache. */
async function corpusFiles(opts: SuiteOptions): Promise<{ path: string; planted: PlantedClasses; tokens: number }> {
  const tokens = opts.quick ? 100_000 : 10_000_000;
  mkdirSync(opts.cacheDir, { recursive: true });
  const base = join(opts.cacheDir, `wordvectors-${tokens}-${CORPUS.seed}`);
  const path = `${base}.txt`;
  const classes = `${base}.classes.json`;
  if (!existsSync(path) || !existsSync(classes)) {
    opts.log(`writing the word-vectors corpus (${tokens} tokens) to ${path}`);
    const planted = await wordVectorsCorpus(path, { ...CORPUS, tokens });
    writeFileSync(classes, JSON.stringify(planted));
  }
  const planted = JSON.parse(readFileSync(classes, 'utf8')) as PlantedClasses;
  // Corpus tokens: whole lines of lineTokens words plus one end-of-line token each, as both programs count them.
  const lines = Math.ceil(tokens / CORPUS.lineTokens);
  return { path, planted, tokens: lines * (CORPUS.lineTokens + 1) };
}

/** The hogwild command of this checkout (dist/cli/main.js: `npm run bench` compiles lib/ first). */
function hogwildMain(): string {
  return join(repoRoot(), 'dist', 'cli', 'main.js');
}

export async function run(opts: SuiteOptions): Promise<BenchRow[]> {
  const corpus = await corpusFiles(opts);
  const workDir = join(opts.outDir, 'wordvectors');
  mkdirSync(workDir, { recursive: true });
  const rows: BenchRow[] = [];
  const timeoutMs = opts.quick ? 120_000 : 900_000;
  // The quick run keeps the n-gram table small: allocating and writing 2M rows would be most of its time.
  const bucket = opts.quick ? { bucket: 10_000 } : {};
  for (const model of MODELS) {
    const rate: Record<string, Record<number, number>> = { hogwild: {}, fasttext: {} };
    for (const threads of THREADS) {
      const kase = `${model} · dim ${DIM} · ${EPOCHS} epoch · ${threads} thread${threads > 1 ? 's' : ''}`;
      const metrics = (impl: string) => (r: WordVectorsRun) => {
        const tokensPerSec = (corpus.tokens * EPOCHS) / r.wallSeconds;
        rate[impl]![threads] = Math.max(rate[impl]![threads] ?? 0, tokensPerSec);
        return {
          'tokens/s': tokensPerSec,
          'wall s': r.wallSeconds,
          'purity@10': classPurity(parseVec(readFileSync(r.vec, 'utf8'), r.vec), corpus.planted),
          'peak RSS MB': r.peakRssBytes / 2 ** 20,
        };
      };
      const flags = (output: string) => wordVectorsFlags({ input: corpus.path, output, dim: DIM, epochs: EPOCHS, threads, ...bucket });
      const ours = async (): Promise<PeerOutcome<WordVectorsRun>> => {
        const output = join(workDir, `hogwild-${model}`);
        return { name: 'hogwild', available: true, ...(await runWordVectorsCommand(process.execPath, [hogwildMain(), model, ...flags(output)], output, { threads, timeoutMs })) };
      };
      // Interleaved: each implementation's runs alternate with the other's under the same load.
      const hw = await peerRow(opts, { kase, impl: 'hogwild', metrics: metrics('hogwild'), run: ours, command: `hogwild ${model} ${flags('vectors').join(' ')}` });
      const ft = await peerRow(opts, {
        kase,
        impl: 'fasttext',
        metrics: metrics('fasttext'),
        run: () => runFasttextWordVectors({ model, input: corpus.path, workDir, dim: DIM, epochs: EPOCHS, threads, timeoutMs, ...bucket }),
        command: `fasttext ${model} ${flags('vectors').join(' ')}`,
      });
      for (const [row, impl] of [[hw, 'hogwild'], [ft, 'fasttext']] as const) {
        if (threads > 1 && rate[impl]![1] && rate[impl]![threads]) row.note = `${(rate[impl]![threads]! / rate[impl]![1]!).toFixed(2)}× its 1-thread tokens/s`;
        rows.push(row);
      }
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const outDir = join(process.cwd(), 'bench', 'out', 'wordvectors-standalone');
  const rows = await run({ quick, outDir, cacheDir: join(process.cwd(), 'bench', 'out', 'cache'), repeat: 1, log: (m) => process.stderr.write(`${m}\n`) });
  for (const r of rows) console.log(JSON.stringify(r));
}
