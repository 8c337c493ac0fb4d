"""bench/run's section on free-threaded CPython 3.13t: examples/threads, a CPU-bound job on 1 and 2
threads, against the default build (with the GIL)."""

import json
import os
import statistics
import subprocess
import sys
import time

from bench_tools import MUSL, REPO, bazel

THREADS_HEADING = "## Free-threaded CPython 3.13t: a CPU-bound job on 1 and 2 threads (examples/threads)"
THREADS_WORK = 150_000


def _high_priority():
    """In the child: its own session (so its own scheduler autogroup: nice is relative within one,
    and the kernel shares the cores between autogroups) at nice -20."""
    try:
        os.setsid()
        with open("/proc/self/autogroup", "w") as group:
            group.write("-20")
        os.nice(-20)
    except OSError:
        pass


def run_threads(exe, threads):
    """(seconds of the job as the program times it, CPU seconds of the process / wall seconds)."""
    start = time.perf_counter()
    # At nice -20 where allowed (root): the job's threads then get a core each even while other builds
    # keep the machine busy, which is what a scaling measurement needs (the job is a few seconds).
    proc = subprocess.Popen([exe, "--threads", str(threads), "--work", str(THREADS_WORK)], stdout=subprocess.PIPE, env={},
                            preexec_fn=_high_priority)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"bench/run: {exe} --threads {threads} failed ({status})")
    report = json.loads(stdout)
    return report["seconds"], (usage.ru_utime + usage.ru_stime) / wall, report["gil_enabled"]


def threads_section(out, runs, note=""):
    """2 threads vs 1 on the same total work: free-threaded (3.13t) and the default build (GIL)."""
    bazel("build", "//examples/threads:threads", "//examples/threads:threads_gil", MUSL)
    exes = {}
    for name in ("threads", "threads_gil"):
        files = bazel("cquery", f"//examples/threads:{name}", MUSL, "--output=files").split()
        exes[name] = str((REPO / next(f for f in files if f.rpartition("/")[2] == name)).resolve())
    commands = {(build, n): exes[name] for build, name in (("3.13t (no GIL)", "threads"), ("3.13 (GIL)", "threads_gil"))
                for n in (1, 2)}
    samples = {key: [] for key in commands}
    load = os.getloadavg()[0]
    for _ in range(runs):  # interleaved: load affects every command alike
        for key, exe in commands.items():
            samples[key].append(run_threads(exe, key[1]))
    out(f"\n{THREADS_HEADING}\n" + (f"\n{note}\n" if note else ""))
    out(f"The longest Collatz chain below {THREADS_WORK:,} (pure Python integer arithmetic), the numbers dealt out to the threads in turn; "
        f"{runs} interleaved runs of each, the job's own wall clock (start-up excluded). "
        f"Load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, on {os.cpu_count()} cores; "
        + ("the jobs run at nice -20 in their own scheduler autogroup, so other builds yield the cores to them (CPU / wall near the thread count "
           "says they got them). " if os.geteuid() == 0 else "not root, so the jobs run at normal priority: with "
           "other builds running, a second core is not always free, which caps the speed-up below 2. ")
        + "\n")
    out("| build | threads | GIL enabled | min s | median s | CPU / wall (median) | speed-up vs 1 thread (median) |")
    out("| --- | --- | --- | --- | --- | --- | --- |")
    medians = {}
    for key, values in samples.items():
        seconds = [v[0] for v in values]
        medians[key] = statistics.median(seconds)
        one = medians.get((key[0], 1))
        speedup = f"{one / medians[key]:.2f}x" if key[1] == 2 else ""
        out(f"| {key[0]} | {key[1]} | {values[0][2]} | {min(seconds):.2f} | {medians[key]:.2f} | "
            f"{statistics.median(v[1] for v in values):.2f} | {speedup} |")
    free1, gil1 = medians[("3.13t (no GIL)", 1)], medians[("3.13 (GIL)", 1)]
    out(f"\n2 threads vs 1: {medians[('3.13t (no GIL)', 1)] / medians[('3.13t (no GIL)', 2)]:.2f}x free-threaded, "
        f"{medians[('3.13 (GIL)', 1)] / medians[('3.13 (GIL)', 2)]:.2f}x with the GIL. One thread, 3.13t vs 3.13: "
        f"{free1 / gil1:.2f}x the time (3.13's free-threaded build runs without the specializing interpreter).")
