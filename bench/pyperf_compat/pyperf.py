"""A small stand-in for pyperf's Runner, enough to run pyperformance's benchmark programs.

bench/pyperformance puts this directory first on PYTHONPATH, so `import pyperf` in a benchmark's
run_benchmark.py finds it. One process measures every benchmark its script registers, with the
loop counts it is given, and writes one JSON line per benchmark. Unlike pyperf it starts no worker
processes: bench/pyperformance runs the processes itself, interleaving the interpreters compared.

Environment (set by bench/pyperformance):
  PYPERF_COMPAT_OUTPUT   file to append the JSON lines to (required)
  PYPERF_COMPAT_LOOPS    JSON {benchmark name: loops}; a name not in it is calibrated: loops
                         doubled from 1 until one value takes PYPERF_COMPAT_MIN_TIME seconds
  PYPERF_COMPAT_MIN_TIME seconds of one calibrated value (default 0.1)
  PYPERF_COMPAT_WARMUPS  values run and dropped first (default 1)
  PYPERF_COMPAT_VALUES   values kept (default 1)
  PYPERF_COMPAT_CLOCK    "cpu" (default): the process's CPU time, which time spent waiting for a
                         core does not inflate on a shared, loaded machine; "wall": pyperf's
                         perf_counter
Each JSON line: {"name", "loops", "inner_loops", "values": [seconds per inner loop, ...]}.
"""

import argparse
import json
import os
import time

# The benchmarks time themselves with pyperf.perf_counter (bench_time_func).
perf_counter = time.perf_counter if os.environ.get("PYPERF_COMPAT_CLOCK") == "wall" else time.process_time

__all__ = ["Runner", "perf_counter"]


class Runner:
    def __init__(self, add_cmdline_args=None, **_ignored):
        self.metadata = {}
        self.argparser = argparse.ArgumentParser()
        self.args = None
        self._output = os.environ["PYPERF_COMPAT_OUTPUT"]
        self._loops = json.loads(os.environ.get("PYPERF_COMPAT_LOOPS", "{}"))
        self._min_time = float(os.environ.get("PYPERF_COMPAT_MIN_TIME", "0.1"))
        self._warmups = int(os.environ.get("PYPERF_COMPAT_WARMUPS", "1"))
        self._values = int(os.environ.get("PYPERF_COMPAT_VALUES", "1"))

    def parse_args(self, args=None):
        if self.args is None:
            self.args = self.argparser.parse_args(args)
        return self.args

    def _measure(self, name, run_loops, inner_loops):
        self.parse_args()
        inner = inner_loops or 1
        loops = self._loops.get(name)
        if loops is None:
            loops = 1
            while run_loops(loops) < self._min_time and loops < 2**30:
                loops *= 2
        for _ in range(self._warmups):
            run_loops(loops)
        values = [run_loops(loops) / (loops * inner) for _ in range(self._values)]
        with open(self._output, "a", encoding="utf-8") as out:
            out.write(json.dumps({"name": name, "loops": loops, "inner_loops": inner, "values": values}) + "\n")

    def bench_time_func(self, name, time_func, *args, inner_loops=None, **_ignored):
        """time_func(loops, *args) returns the seconds its loops took (pyperf's contract)."""
        self._measure(name, lambda loops: time_func(loops, *args), inner_loops)

    def bench_func(self, name, func, *args, inner_loops=None, **_ignored):
        def run_loops(loops):
            start = perf_counter()
            for _ in range(loops):
                func(*args)
            return perf_counter() - start

        self._measure(name, run_loops, inner_loops)

    def bench_async_func(self, name, func, *args, inner_loops=None, **_ignored):
        import asyncio

        def run_loops(loops):
            async def main():
                start = perf_counter()
                for _ in range(loops):
                    await func(*args)
                return perf_counter() - start

            return asyncio.run(main())

        self._measure(name, run_loops, inner_loops)
