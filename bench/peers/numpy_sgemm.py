#!/usr/bin/env python3
"""OpenBLAS sgemm through numpy, single thread: the peer for bench/gemm.ts.

Usage: numpy_sgemm.py '<json list of {m, n, k, transA, transB}>' [minSeconds]
Prints one JSON object: the BLAS numpy runs (threadpoolctl) and GFLOPS per
shape (best of 7 timed rounds), from wall time and from the thread's CPU time
(which does not count time other processes held the core). Transposed operands are stored transposed and
passed as numpy transposed views, so numpy calls sgemm with the trans flags
(no copy), as our kernel sees them. Run it with OPENBLAS_NUM_THREADS=1.
"""
import json
import sys
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info
    blas = [
        {k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
except Exception as e:  # threadpoolctl missing: say so rather than guess
    blas = [{"error": "threadpoolctl unavailable: %s" % e}]


def bench(m, n, k, trans_a, trans_b, min_seconds):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (k, m) if trans_a else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if trans_b else (k, n)).astype(np.float32)
    av = a.T if trans_a else a
    bv = b.T if trans_b else b
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(av, bv, out=c)
    best = best_cpu = float("inf")
    for _ in range(7):
        it = 0
        t0 = time.perf_counter()
        c0 = time.thread_time()
        while True:
            np.matmul(av, bv, out=c)
            it += 1
            el = time.perf_counter() - t0
            if el >= min_seconds:
                break
        best = min(best, el / it)
        best_cpu = min(best_cpu, (time.thread_time() - c0) / it)
    flop = 2.0 * m * n * k
    return flop / best / 1e9, flop / best_cpu / 1e9


def main():
    shapes = json.loads(sys.argv[1])
    min_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
    out = []
    for s in shapes:
        g, g_cpu = bench(s["m"], s["n"], s["k"], bool(s.get("transA")), bool(s.get("transB")), min_seconds)
        out.append(dict(s, gflops=g, gflopsCpu=g_cpu))
    print(json.dumps({"numpy": np.__version__, "blas": blas, "results": out}))


if __name__ == "__main__":
    main()
