/**
 * Types of the kernel part of the native surface: the SIMD level in use and
 * the single-core GEMM / FMA-peak benchmarks behind `bench/gemm.ts`.
 */

/** A SIMD level (kernels/<level>/ in native/). */
export type SimdLevel = 'scalar' | 'neon' | 'avx2' | 'avx512';

export interface SimdInfo {
  /** The level the dense kernels use: the best supported one, lowered by HOGWILD_SIMD. */
  active: SimdLevel;
  /** Levels this CPU and OS can run (CPUID + XGETBV), best last; always includes 'scalar'. */
  supported: SimdLevel[];
  /** Levels compiled into this binary, best last. */
  compiledWith: SimdLevel[];
}

export interface GemmBenchOptions {
  /** Level to time (default: the active one). Must be supported. */
  isa?: SimdLevel;
  m: number;
  n: number;
  k: number;
  /** A stored k×m and read transposed. */
  transA?: boolean;
  /** B stored n×k and read transposed (FC's W). */
  transB?: boolean;
  /** Minimum duration of each timed round (default 0.05 s). */
  minSeconds?: number;
  /** Timed rounds; the best is reported (default 7). */
  rounds?: number;
  /** Run the same measurement on this many threads at once, each its own copy (default 1); rates are per thread. */
  threads?: number;
}

export interface GemmBenchResult {
  isa: SimdLevel;
  /** 2·m·n·k / best seconds per call / 1e9. */
  gflops: number;
  /** Best seconds per call. */
  seconds: number;
  /** The same from the thread's CPU time (excludes time other processes held the core). */
  gflopsCpu: number;
  cpuSeconds: number;
  calls: number;
  /** GFLOPS of each thread (one entry unless `threads` > 1). */
  perThread: number[];
}

export interface FmaPeakOptions {
  isa?: SimdLevel;
  minSeconds?: number;
  rounds?: number;
  /** That many cores at once (default 1); rates are per core. */
  threads?: number;
}

export interface GemmTileOptions {
  isa?: SimdLevel;
  minSeconds?: number;
  rounds?: number;
  /** Packed A panels swept per B panel (default 24, the driver's L2 block). */
  tiles?: number;
  /** K depth of each panel (default 256, the driver's K block). */
  kc?: number;
}

/** The FMA peak of a level: per core, and each core's rate when several ran at once. */
export interface FmaPeakResult {
  isa: SimdLevel;
  gflops: number;
  gflopsCpu: number;
  perThread: number[];
}

export interface KernelBinding {
  simdInfo(): SimdInfo;
  /** Times sgemm C = op(A)·op(B) on one thread. Synchronous: blocks the calling thread. */
  benchGemm(options: GemmBenchOptions): GemmBenchResult;
  /** The single-core FMA peak of a level, measured with independent register FMAs. Synchronous. */
  fmaPeak(options?: FmaPeakOptions): FmaPeakResult;
  /** The GEMM register tile alone (A panels from L2, B in L1, no packing), one thread. Synchronous. */
  gemmTilePeak(options?: GemmTileOptions): { isa: SimdLevel; gflops: number; gflopsCpu: number };
}
