/**
 * Every benchmark suite `npm run bench` runs, in order. A suite module is bench/<name>.ts
 * exporting `run(opts: SuiteOptions): Promise<BenchRow[]>` (bench/harness/types.ts); one
 * that is not written yet is skipped as "not available yet". The text and MLP suites
 * combine our side (bench/text_hogwild.ts, bench/mlp_hogwild.ts) with the peers.
 */
import { mlpSuite } from './harness/mlpSuite.js';
import { loadSuiteModule } from './harness/modules.js';
import { textSuite } from './harness/textSuite.js';
import { type Suite, SuiteUnavailable } from './harness/types.js';

/** A suite that is one module of bench/. */
function moduleSuite(name: string, title: string): Suite {
  return {
    name,
    title,
    async run(opts) {
      const mod = await loadSuiteModule(name);
      if (!mod.ok) throw new SuiteUnavailable(mod.reason);
      return mod.run(opts);
    },
  };
}

export const SUITES: Suite[] = [
  moduleSuite('gemm', 'SGEMM kernels vs numpy'),
  moduleSuite('sparse', 'Sparse kernels'),
  moduleSuite('plan_overhead', 'Plan overhead'),
  moduleSuite('job_overhead', 'Job API and epoch overhead'),
  textSuite,
  mlpSuite,
  moduleSuite('fasttext_losses', 'fastText -loss hs with 2,000 labels vs fasttext'),
  moduleSuite('shapes', 'Other shapes: n-grams, multi-label, char n-grams, long documents vs fasttext'),
  moduleSuite('parity_matrix', 'Accuracy parity: hogwild supervised vs fasttext supervised, same flags and file (P@1)'),
  moduleSuite('checkpoint', 'Checkpoint save and load vs dd'),
  moduleSuite('wordvectors', 'Word vectors: cbow and skipgram vs fasttext'),
  moduleSuite('partitioned', 'Partitioned Parquet (DuckDB) vs the native file readers'),
  moduleSuite('allreduce', 'Allreduce between 2 processes vs torch.distributed (gloo)'),
  moduleSuite('multinode', 'Multi-node training: 2 processes × 1 thread vs PyTorch DDP (gloo)'),
];
