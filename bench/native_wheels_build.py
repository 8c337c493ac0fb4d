"""bench/native_wheels.py's build times of a numpy app (//bench:native_numpy): after a change of its
source, cold in a fresh output base, and from numpy's sdist (//bench:native_numpy_source) with a
time limit; and the tools/bazel runs the benchmark makes."""

import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
MUSL = "--platforms=//platforms:linux_musl"
APP = REPO / "bench" / "programs" / "numpy_app.py"
FROM_SOURCE_TIMEOUT = 600


def bazel(*args, output_base=None, check=True, timeout=None):
    startup = [f"--output_base={output_base}"] if output_base else []
    start = time.perf_counter()
    try:
        run = subprocess.run([str(REPO / "tools" / "bazel"), *startup, *args], cwd=REPO, capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, time.perf_counter() - start, (e.stderr or b"").decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
    seconds = time.perf_counter() - start
    if check and run.returncode != 0:
        sys.exit(f"bench/native_wheels.py: tools/bazel {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run, seconds, run.stderr


def build_summary(stderr):
    """'critical path 41 s; 27 processes: 1 internal, 26 linux-sandbox' from Bazel's last INFO lines."""
    critical = re.findall(r"Critical Path: ([\d.]+)s", stderr)
    processes = re.findall(r"INFO: (\d+ processes?: [^\n]*?)\.?\n", stderr)
    parts = ([f"critical path {float(critical[-1]):.0f} s"] if critical else []) + (processes[-1:] if processes else [])
    return "; ".join(parts)


def nonce_build(target, output_base, label):
    """Builds `target` after a change of the app's source (a comment), restoring it after."""
    original = APP.read_text()
    try:
        APP.write_text(original + f"# {label} {time.time_ns()}\n")
        run, seconds, stderr = bazel("build", target, MUSL, output_base=output_base)
    finally:
        APP.write_text(original)
    return seconds, build_summary(stderr)


def rmtree(path):
    subprocess.run(["chmod", "-R", "u+w", str(path)], capture_output=True)
    shutil.rmtree(path, ignore_errors=True)


def build_times(output_base, from_source, out):
    out("| build | wall s | Bazel's summary |\n| --- | --- | --- |")
    bazel("build", "//bench:native_numpy", MUSL, output_base=output_base)
    for i in range(2):
        seconds, summary = nonce_build("//bench:native_numpy", output_base, "incremental")
        out(f"| numpy app via the wheel, after a change of its source ({i + 1}) | {seconds:.1f} | {summary} |")
    cold = pathlib.Path(tempfile.mkdtemp(prefix="pystatic-bench-native-ob-"))
    try:
        original = APP.read_text()
        try:
            APP.write_text(original + f"# cold {time.time_ns()}\n")
            _, fetch_seconds, stderr = bazel("build", "--nobuild", "//bench:native_numpy", MUSL, output_base=cold)
            _, build_seconds, stderr = bazel("build", "//bench:native_numpy", MUSL, output_base=cold)
        finally:
            APP.write_text(original)
        out(f"| numpy app via the wheel, fresh output base: server start, fetching the repositories (the wheels with pip), "
            f"analysis (`build --nobuild`) | {fetch_seconds:.1f} | |")
        out(f"| ... then its actions (the distribution and the wheel checks from the disk cache; the app changed, so "
            f"packing, linking and the export check run) | {build_seconds:.1f} | {build_summary(stderr)} |")
        bazel("shutdown", output_base=cold, check=False)
    finally:
        rmtree(cold)
    if not from_source:
        return None
    # Fetching pypi_native_source (numpy's sdist, the build lock's tools) and analysis first, timed apart.
    _, fetch_seconds, _ = bazel("build", "--nobuild", "//bench:native_numpy_source", MUSL, output_base=output_base,
                                check=False, timeout=FROM_SOURCE_TIMEOUT)
    run, seconds, stderr = bazel("build", "//bench:native_numpy_source", MUSL, output_base=output_base, check=False,
                                 timeout=max(60, FROM_SOURCE_TIMEOUT - fetch_seconds))
    if run is None:
        outcome = f"stopped: {FROM_SOURCE_TIMEOUT} s in all"
    elif run.returncode == 0:
        outcome = "built"
    else:
        errors = [line.strip(" |") for line in stderr.splitlines() if re.search(r"\bERROR: (?!Build did NOT|/)|^error: ", line)]
        outcome = "failed: " + (" / ".join(dict.fromkeys(e[:300] for e in errors[:3])) or stderr.strip().splitlines()[-1])
    out(f"| numpy app with `build_from_source = [\"numpy\"]` (`//bench:native_numpy_source`): fetching "
        f"`pypi_native_source` where not yet done (numpy's sdist with pip, the build lock's tools), analysis | {fetch_seconds:.1f} | |")
    out(f"| ... then its actions (numpy's `PyStaticSdist`) | {seconds:.1f} | {outcome.replace('|', '/')}; {build_summary(stderr)} |")
    return outcome
