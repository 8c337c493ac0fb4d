#!/usr/bin/env python3
"""Start-up of the static python3 (//examples/python) vs python3 and the same CPython build from disk.

  bench/interpreter_startup.py STATIC_PYTHON DISK_PYTHON [--host python3] [--runs N] [--callgrind]

Interleaves the commands (A B C A B C ...) so that load affects all alike and prints min and
median wall time of `-c pass` per command, their sizes, and with --callgrind the instructions
executed (valgrind), which load does not change.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def wall_times(commands, runs):
    times = {name: [] for name in commands}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for _ in range(runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def instructions(cmd):
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", *cmd],
                                capture_output=True, text=True, check=True)
    match = re.search(r"Collected : (\d+)", result.stderr)
    return int(match.group(1)) if match else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("static")
    parser.add_argument("disk")
    parser.add_argument("--host", default=shutil.which("python3"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--callgrind", action="store_true")
    args = parser.parse_args(argv)
    commands = {
        "static python -c pass": [args.static, "-c", "pass"],
        "static python -I -S -c pass": [args.static, "-I", "-S", "-c", "pass"],
        "disk build python3.13 -c pass": [args.disk, "-c", "pass"],
        "disk build python3.13 -I -S -c pass": [args.disk, "-I", "-S", "-c", "pass"],
        f"host {os.path.basename(args.host)} -I -S -c pass": [args.host, "-I", "-S", "-c", "pass"],
    }
    times = wall_times(commands, args.runs)
    print(f"| command | min ms | median ms |{' instructions |' if args.callgrind else ''}")
    print(f"| --- | --- | --- |{' --- |' if args.callgrind else ''}")
    for name, cmd in commands.items():
        row = f"| `{name}` | {min(times[name]):.1f} | {statistics.median(times[name]):.1f} |"
        if args.callgrind:
            count = instructions(cmd)
            row += f" {count / 1e6:.1f} M |" if count else " ? |"
        print(row)
    print(f"\nsize: static {os.path.getsize(args.static) / 1e6:.1f} MB; disk build python3.13 "
          f"{os.path.getsize(args.disk) / 1e6:.1f} MB + its lib/python3.13 tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
