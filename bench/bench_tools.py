"""What bench/run and its sections share: tools/bazel, commands run interleaved and timed (wall
clock, peak RSS, callgrind instructions), ratios, and the charts the sections add to."""

import hashlib
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
MUSL = "--platforms=//platforms:linux_musl"
DISTRIBUTION = "//toolchains/cpython:cpython_3_13"
# Charts drawn from this run's numbers only (bench/charts.py); appended to by the sections.
CHARTS = []


def bazel(*args, startup=(), workspace=REPO):
    """tools/bazel of `workspace` (this checkout, or a clone being measured) in it; its stdout."""
    result = subprocess.run([str(workspace / "tools" / "bazel"), *startup, *args], cwd=workspace, capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.exit(f"bench/run: tools/bazel {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def bazel_output(target, platform_flag, startup=(), execroot=REPO):
    name = target.rpartition(":")[2] if ":" in target else target.rpartition("/")[2]
    out = bazel("cquery", target, platform_flag, "--output=files", startup=startup).split()
    return (pathlib.Path(execroot) / next(p for p in out if p.rpartition("/")[2] == name)).resolve()


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def progress(message):
    print(f"bench/run: {message}", file=sys.stderr, flush=True)


def time_once(cmd):
    """Wall-clock seconds of one run, fork to wait4."""
    start = time.perf_counter()
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={})
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"bench/run: {' '.join(map(str, cmd))} failed: {result.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def peak_rss_kib(cmd):
    """Peak RSS of one run in KiB: GNU time's %M (wait4's ru_maxrss), i.e. the largest single
    process of the tree: a onefile launcher and the Python it starts are not added up. (Measured
    from a small parent: a child forked from this Python would report this process's RSS.)"""
    with tempfile.NamedTemporaryFile("r") as f:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={}, check=True)
        return int(f.read().split()[-1])


def measure(commands, runs, warmup=1, rss_runs=0):
    """{label: (min ms, median ms, median peak RSS KiB or None)}, the commands run interleaved."""
    samples = {label: [] for label in commands}
    rss = {label: [] for label in commands}
    for _ in range(warmup):  # page cache
        for cmd in commands.values():
            time_once(cmd)
    for _ in range(runs):
        for label, cmd in commands.items():
            samples[label].append(time_once(cmd) * 1000)
    for _ in range(rss_runs):
        for label, cmd in commands.items():
            rss[label].append(peak_rss_kib(cmd))
    return {label: (min(s), statistics.median(s), statistics.median(rss[label]) if rss[label] else None)
            for label, s in samples.items()}


def compare(commands, runs):
    """{label: (min ms, median ms)}, the commands run interleaved."""
    return {label: r[:2] for label, r in measure(commands, runs).items()}


def callgrind_instructions(cmd, workdir):
    """Instructions of one run under callgrind: repeatable (to about 0.2 %) where timings on a
    shared machine are not."""
    out = workdir / "callgrind.out"
    result = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={}, check=True)
    return int(re.search(r"Collected : (\d+)", result.stderr).group(1))


def fmt_ratio(ours, theirs):
    return f"{theirs / ours:.2f}x faster" if ours <= theirs else f"{ours / theirs:.2f}x slower"


def instructions(cmd):
    """Instructions one run executes, counted by callgrind."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                            capture_output=True, text=True, env={})
    counts = re.findall(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not counts:
        sys.exit(f"bench/run: callgrind of {' '.join(cmd)} failed: {result.stderr[-2000:]}")
    return int(counts[-1])


def real_python(name):
    """The interpreter behind `name` on PATH (a pyenv shim is a shell script: time the real one)."""
    if not shutil.which(name):
        return None
    result = subprocess.run([name, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True)
    return result.stdout.strip() or None if result.returncode == 0 else None


def replace_section(heading, text, after=None):
    """bench/results.md with the section under `heading` (up to the next `## ` or `# ` heading) replaced
    by `text`; a new section goes after the section headed `after` if there is one, else at the end.
    Returns the new contents, which it has written."""
    results = REPO / "bench" / "results.md"
    old = results.read_text(encoding="utf-8") if results.exists() else ""

    def section(title):
        return re.search(r"^" + re.escape(title) + r"\n.*?(?=^## |^# |\Z)", old, re.S | re.M)

    found, anchor = section(heading), section(after) if after else None
    if found:
        new = old[:found.start()] + text + "\n\n" + old[found.end():]
    elif anchor:
        new = old[:anchor.end()] + text + "\n\n" + old[anchor.end():]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    new = new.rstrip("\n") + "\n"
    results.write_text(new, encoding="utf-8")
    return new
