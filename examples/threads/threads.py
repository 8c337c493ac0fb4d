"""A CPU-bound job split over threads: with the free-threaded build (3.13t) they run in parallel.

  threads [--threads N] [--work W]

Counts, for W numbers in all, how many are prime by trial division (pure Python, no I/O), the
range split evenly over N threads. Prints one JSON line: the GIL's state, the thread count, the
wall-clock seconds and the count (the same for every N: the threads do the same total work).
"""

import argparse
import json
import sys
import threading
import time


def count_primes(start, stop):
    count = 0
    for n in range(max(start, 2), stop):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def run(threads, work):
    bounds = [work * i // threads for i in range(threads + 1)]
    counts = [0] * threads

    def worker(i):
        counts[i] = count_primes(bounds[i], bounds[i + 1])

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - start, sum(counts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", type=int, default=200_000, help="numbers to test, in all")
    args = parser.parse_args(argv)
    seconds, primes = run(args.threads, args.work)
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(json.dumps({
        "gil_enabled": gil,
        "free_threaded_build": bool(__import__("sysconfig").get_config_var("Py_GIL_DISABLED")),
        "threads": args.threads,
        "seconds": round(seconds, 4),
        "primes": primes,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
