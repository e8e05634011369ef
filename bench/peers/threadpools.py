"""What thread pools a peer process runs with, for the benchmark report.

threadpoolctl's view of every native pool loaded (BLAS, OpenMP: library, version,
kernel architecture, threads) plus torch's own intra-op thread count, so a row can
show that the peer ran pinned to the case's thread count. Never fails: without
threadpoolctl it says so.
"""


def threadpools():
    try:
        from threadpoolctl import threadpool_info
    except Exception as e:  # not installed: report it rather than guess
        return [{"error": "threadpoolctl unavailable: %s" % e}]
    keys = ("user_api", "internal_api", "version", "architecture", "num_threads", "threading_layer")
    return [{k: i.get(k) for k in keys if i.get(k) is not None} for i in threadpool_info()]
