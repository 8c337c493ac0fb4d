"""A CPU-bound job split over threads: with the free-threaded build (3.13t) they run in parallel.

  threads [--threads N] [--work W]

Finds the longest Collatz chain (n -> n / 2 or 3n + 1, down to 1) among the numbers below W (pure
Python integer arithmetic, no I/O), the numbers dealt out to N threads in turn (thread i takes i,
i + N, ...: equal shares of the work). Prints one JSON line: the GIL's state, the thread count, the
wall-clock seconds and the longest chain's length in steps (the same for every N: the threads do
the same total work).
"""

import argparse
import json
import sys
import threading
import time


def longest_chain(first, stop, step):
    longest = 0
    for n in range(max(first, 1), stop, step):
        steps = 0
        while n > 1:
            n = n >> 1 if not n & 1 else 3 * n + 1
            steps += 1
        if steps > longest:
            longest = steps
    return longest


def run(threads, work):
    longest = [0] * threads

    def worker(i):
        longest[i] = longest_chain(i, work, threads)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - start, max(longest)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", type=int, default=200_000, help="numbers to follow, in all")
    args = parser.parse_args(argv)
    seconds, longest = run(args.threads, args.work)
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(json.dumps({
        "gil_enabled": gil,
        "free_threaded_build": bool(__import__("sysconfig").get_config_var("Py_GIL_DISABLED")),
        "hash_algorithm": sys.hash_info.algorithm,
        "threads": args.threads,
        "seconds": round(seconds, 4),
        "longest_chain": longest,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
