/**
 * How every peer is run, as its own documentation recommends for a fixed
 * number of cores: each native thread pool pinned to the case's thread count
 * (OpenMP, OpenBLAS, MKL; PyTorch also calls torch.set_num_threads), and
 * OpenBLAS given the kernel (core type) that measured fastest on this CPU.
 * What the peer then actually ran with (threadpoolctl) is recorded per row.
 */

/** threadpoolctl's record of one native thread pool (bench/peers/threadpools.py). */
export interface ThreadpoolInfo {
  user_api?: string;
  internal_api?: string;
  version?: string;
  architecture?: string;
  num_threads?: number;
  threading_layer?: string;
  error?: string;
}

/** `base` with the thread pools pinned to `threads` and OPENBLAS_CORETYPE set (or cleared). */
export function pinnedEnv(threads: number, base: NodeJS.ProcessEnv = process.env, openblasCoretype?: string): NodeJS.ProcessEnv {
  const n = String(threads);
  const env: NodeJS.ProcessEnv = { ...base, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (openblasCoretype) env.OPENBLAS_CORETYPE = openblasCoretype;
  return env;
}

/** "openblas 0.3.21 SkylakeX ×1, openmp ×1; torch threads 1" for a report row. */
export function describeThreadpools(pools: readonly ThreadpoolInfo[] | undefined, torchThreads?: number): string {
  const parts = (pools ?? []).map((p) =>
    p.error ? p.error : [p.internal_api ?? p.user_api, p.version, p.architecture].filter(Boolean).join(' ') + ` ×${p.num_threads ?? '?'}`,
  );
  const torch = torchThreads === undefined ? '' : `; torch threads ${torchThreads}`;
  return `threadpoolctl: ${parts.join(', ') || 'no native pools'}${torch}`;
}
