#!/usr/bin/python3
"""The OpenBLAS side of apps/bench_matmul: times numpy's float32 matmul on request.

bench_matmul starts this script as a child process and talks to it over stdin/stdout so
that both libraries are measured in the same run, interleaved (the machine is shared and
noisy; measuring one library after the other would compare two different machines).

Protocol, one line each way:
  -> (startup)                     <- "ready <library> <version> <architecture> <threads>"
  -> "time M K N BATCH TA TB REPS" <- seconds for REPS products (a float)
  -> "quit"
TA/TB = 1: that operand is a transposed view (stored [K, M] / [N, K]), as in the project.
BATCH > 1: stacked products (numpy loops over the batch, calling sgemm per matrix).

Run it with Debian's /usr/bin/python3 (python3-numpy, libopenblas0, python3-threadpoolctl).
The thread count comes from OPENBLAS_NUM_THREADS, which bench_matmul sets.
"""
import os
import sys
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # threadpoolctl only reports; OPENBLAS_NUM_THREADS does the pinning
    threadpool_info = None
    threadpool_limits = None


def blas_description():
    """'<library> <version> <architecture> <threads>' of the BLAS numpy calls."""
    if threadpool_info is None:
        return "unknown-blas ? ? ?"
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return "{} {} {} {}".format(pool.get("internal_api", "?"), pool.get("version", "?"),
                                        pool.get("architecture", "?"), pool.get("num_threads", "?"))
    return "no-blas ? ? ?"


def operands(m, k, n, batch, ta, tb, rng):
    """a [batch, m, k] and b [batch, k, n], as transposed views when asked."""
    def matrix(rows, cols, transposed):
        if transposed:
            return rng.uniform(-1, 1, (batch, cols, rows)).astype(np.float32).transpose(0, 2, 1)
        return rng.uniform(-1, 1, (batch, rows, cols)).astype(np.float32)
    a, b = matrix(m, k, ta), matrix(k, n, tb)
    if batch == 1:
        a, b = a[0], b[0]
    return a, b


def main():
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "2"))
    if threadpool_limits is not None:
        threadpool_limits(limits=threads, user_api="blas")
    rng = np.random.default_rng(0)
    # One small product first: OpenBLAS reports its kernel architecture once it has run.
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
    print("ready", blas_description(), flush=True)

    cache = {}
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        m, k, n, batch, ta, tb, reps = map(int, words[1:8])
        key = (m, k, n, batch, ta, tb)
        if key not in cache:
            cache[key] = operands(m, k, n, batch, ta, tb, rng)
        a, b = cache[key]
        start = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b)
        print(repr(time.perf_counter() - start), flush=True)


if __name__ == "__main__":
    main()
