#!/usr/bin/env python3
"""Binary wheels loaded from memory (docs/native-wheels.md) vs the same wheels on disk, side by side.

  bench/native_wheels.py [--runs N] [--quick] [--output-base DIR] [--no-build-time] [--no-from-source] [--no-write]
  (or `bench/run --only native [--quick] -- OPTIONS`)

Builds //bench:native_imports (bench/programs/bench_imports.py with numpy, Pillow and pydantic-core
from @pypi_native), //bench:native_imports_none (the same program without them) and //examples/python
for linux_musl, then measures in one run, the commands interleaved (min and median of N runs):
  - import time of `import numpy`, `import pydantic_core`, `from PIL import Image, ImageFont` (and all
    three in one process): whole-process wall time from outside, and the import alone inside the
    process (time.perf_counter_ns), for
      memory: the binary as built (shared objects mapped from the executable file);
      copy:   the same binary with PYSTATIC_NATIVE_COPY=1 (every object copied to anonymous memory);
      disk:   the same binary with `--disk SITE`: the same wheel files unpacked into SITE (.pyc
              compiled beforehand) and imported from there, their .so files mapped by the same loader;
  - RSS after the imports (/proc/self/status: VmRSS, VmHWM, RssFile, RssAnon; medians);
  - size: the binary with and without the wheels, and the shared objects' bytes (the pack report);
  - build time of //bench:native_numpy (numpy via its wheel): after a change of the app's source in
    the same output base, and cold in a fresh output base (the distribution from the disk cache);
    and //bench:native_numpy_source (numpy built from its sdist, `build_from_source`), tried once
    with a 10-minute limit: how long until it fails and why.
Also checks whether //examples/python (a py_static_interpreter) loads the wheels from disk by
PYTHONPATH, and says how it fails if not. Replaces its section of bench/results.md unless --no-write.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
import bench_tools  # noqa: E402
from native_wheels_build import MUSL, bazel, build_times  # noqa: E402

HEADING = "## Binary wheels loaded from memory: numpy, pydantic-core, Pillow"
TARGETS = ["//bench:native_imports", "//bench:native_imports_none", "//bench:native_numpy", "//examples/python"]
# The distributions of //bench:native_imports' deps (and pydantic-core's typing-extensions).
DISTRIBUTIONS = ("numpy", "pillow", "pydantic_core", "typing_extensions")
WORKLOADS = {
    "numpy": ["import numpy"],
    "pydantic_core": ["import pydantic_core"],
    "PIL": ["from PIL import Image, ImageFont"],
    "all three": ["import numpy", "import pydantic_core", "from PIL import Image, ImageFont"],
}
VARIANTS = ("memory", "copy", "disk")


def say(message):
    print(f"bench/native_wheels.py: {message}", file=sys.stderr, flush=True)


def outputs(output_base):
    run, _, _ = bazel("cquery", " + ".join(TARGETS), MUSL, "--output=files", output_base=output_base)
    files = [REPO / p for p in run.stdout.split()]
    paths = {}
    for target in TARGETS:
        name = target.rpartition(":")[2] if ":" in target else target.rpartition("/")[2]
        paths[name] = next(p.resolve() for p in files if p.name == name)
    info, _, _ = bazel("info", "output_base", output_base=output_base)
    return paths, pathlib.Path(info.stdout.strip())


def wheel_dirs(base):
    """The unpacked wheels (`_whl/<wheel>/`) of DISTRIBUTIONS in @pypi_native, for this machine."""
    repos = [p for p in (base / "external").iterdir() if re.fullmatch(r"(.*[~+])?pypi_native", p.name)]
    if len(repos) != 1:
        sys.exit(f"bench/native_wheels.py: no single pypi_native repository under {base / 'external'}: {repos}")
    machine = platform.machine()
    found = {}
    for wheel in sorted((repos[0] / "_whl").iterdir()):
        dist = wheel.name.split("-")[0].lower()
        if dist in DISTRIBUTIONS and (wheel.name.endswith("-any") or wheel.name.endswith("_" + machine)):
            found[dist] = wheel
    missing = set(DISTRIBUTIONS) - set(found)
    if missing:
        sys.exit(f"bench/native_wheels.py: not unpacked in {repos[0]}: {', '.join(sorted(missing))}")
    return found


def make_site(wheels, python, site):
    """The wheels' files in one directory, as pip installs them, with their .pyc compiled (by the same
    CPython build: same magic number)."""
    site.mkdir()
    for wheel in wheels.values():
        shutil.copytree(wheel, site, dirs_exist_ok=True)
    for path in site.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    subprocess.run([str(python), "-m", "compileall", "-q", "-j0", str(site)], check=True, capture_output=True, env={})


def interpreter_from_disk(python, site):
    """Whether //examples/python imports the wheels from disk by PYTHONPATH: {workload: 'ok' or the error}."""
    result = {}
    for name, statements in WORKLOADS.items():
        if name == "all three":
            continue
        run = subprocess.run([str(python), "-c", "; ".join(statements)], capture_output=True, text=True,
                             env={"PYTHONPATH": str(site)})
        errors = [line for line in run.stderr.splitlines() if line.startswith(("ImportError", "OSError", "Original error"))]
        result[name] = "ok" if run.returncode == 0 else (errors[-1] if errors else run.stderr.strip().splitlines()[-1])
    return result


def run_once(cmd, env):
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"bench/native_wheels.py: {' '.join(cmd)} failed:\n{run.stderr[-3000:]}")
    return wall, json.loads(run.stdout.strip().splitlines()[-1])


def commands(binary, site):
    """{(workload, variant): (argv, env)}; ('start-up', '') runs the binary with no import."""
    cmds = {("start-up (no import)", "memory"): ([str(binary)], {})}
    for name, statements in WORKLOADS.items():
        cmds[(name, "memory")] = ([str(binary), *statements], {})
        cmds[(name, "copy")] = ([str(binary), *statements], {"PYSTATIC_NATIVE_COPY": "1"})
        cmds[(name, "disk")] = ([str(binary), "--disk", str(site), *statements], {})
    return cmds


def check_origin(key, report, binary, site):
    """The comparison is only fair if each variant really loads from where it says."""
    _, variant = key
    for so in report["extension_modules"]:
        inside = so.startswith(str(binary) + "/")
        if (variant == "disk") == inside or (variant == "disk" and not so.startswith(str(site) + "/")):
            sys.exit(f"bench/native_wheels.py: {key}: loaded {so}, not from the {variant}")


def measure_imports(binary, site, runs):
    cmds = commands(binary, site)
    samples = {key: [] for key in cmds}
    for key, (cmd, env) in cmds.items():  # warm-up: page cache
        check_origin(key, run_once(cmd, env)[1], binary, site)
    for _ in range(runs):
        for key, (cmd, env) in cmds.items():
            samples[key].append(run_once(cmd, env))
    return samples


def checksummed(binary, site):
    """{workload: bytes of the shared objects it loads}, from PYSTATIC_TRACE_NATIVE's lines, and the
    binary's own zlib crc32 throughput in bytes/s (best of 5 over the largest of them): the blob
    verifies each payload's CRC-32 on first use, a shared object's too, before it is mapped."""
    loaded = {}
    for name, statements in WORKLOADS.items():
        run = subprocess.run([str(binary), *statements], capture_output=True, text=True, env={"PYSTATIC_TRACE_NATIVE": "1"})
        paths = re.findall(r"^pystatic native: loaded " + re.escape(str(binary)) + r"/(\S+) \(", run.stderr, re.M)
        loaded[name] = [site / p for p in paths]
    largest = max((p for ps in loaded.values() for p in ps), key=lambda p: p.stat().st_size)
    probe = ("import time, zlib\n"
             f"data = open({str(largest)!r}, 'rb').read()\n"
             "best = min(-time.perf_counter() + (zlib.crc32(data), time.perf_counter())[1] for _ in range(5))\n"
             "print(len(data) / best)\n")
    run = subprocess.run([str(binary), f"exec({probe!r})"], capture_output=True, text=True, env={})
    rate = float(run.stdout.split("\n")[0])
    return {name: sum(p.stat().st_size for p in ps) for name, ps in loaded.items()}, rate


def ms(values):
    return f"{min(values):.1f} / {statistics.median(values):.1f}"


def import_table(samples, crc, out):
    out("| import | memory: process ms | memory: import ms | copy: process ms | copy: import ms | disk: process ms | "
        "disk: import ms | memory / disk: import, min / median | objects loaded: MB, CRC-32 ms |")
    out("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    base = samples[("start-up (no import)", "memory")]
    out(f"| start-up, no import | {ms([w * 1000 for w, _ in base])} | | | | | | | |")
    loaded, rate = crc
    for name, statements in WORKLOADS.items():
        row = [f"`{'`; `'.join(statements)}`" if name != "all three" else "all three in one process"]
        imports = {}
        for variant in VARIANTS:
            s = samples[(name, variant)]
            walls = [w * 1000 for w, _ in s]
            imports[variant] = [sum(r["imports"].values()) / 1e6 for _, r in s]
            row += [ms(walls), ms(imports[variant])]
        memory, disk = imports["memory"], imports["disk"]
        row.append(f"{min(memory) / min(disk):.2f} / {statistics.median(memory) / statistics.median(disk):.2f}")
        row.append(f"{loaded[name] / 1e6:.1f}, {loaded[name] / rate * 1000:.1f}")
        out("| " + " | ".join(row) + " |")


def rss_table(samples, out):
    out("| after | variant | VmRSS MiB | VmHWM MiB | RssFile MiB | RssAnon MiB |")
    out("| --- | --- | --- | --- | --- | --- |")
    rows = [("start-up (no import)", "memory")] + [(name, v) for name in WORKLOADS for v in VARIANTS]
    for key in rows:
        status = [r["status"] for _, r in samples[key]]
        cells = [f"{statistics.median(s[k] for s in status) / 1024:.1f}" for k in ("VmRSS", "VmHWM", "RssFile", "RssAnon")]
        label = {"memory": "memory (file-backed)", "copy": "copy (`PYSTATIC_NATIVE_COPY=1`)", "disk": "disk"}[key[1]]
        out(f"| {key[0]} | {label} | " + " | ".join(cells) + " |")


def sizes(paths, base, site, out):
    report = json.loads(paths["native_imports"].with_suffix(".blob.json").read_text())
    shared = report["shared_objects"]

    def size_of(entry):
        for root in (base / "execroot" / "_main", base):
            path = root / entry["file"]
            if path.exists():
                return path.stat().st_size
        sys.exit(f"bench/native_wheels.py: not found: {entry['file']}")

    so_bytes = sum(size_of(e) for e in shared)
    packages = sorted({e["package"] for e in shared})
    with_wheels, without = paths["native_imports"].stat().st_size, paths["native_imports_none"].stat().st_size
    blob_with = paths["native_imports"].with_suffix(".blob").stat().st_size
    blob_without = paths["native_imports_none"].with_suffix(".blob").stat().st_size
    on_disk = sum(p.stat().st_size for p in site.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    on_disk_so = sum(p.stat().st_size for p in site.rglob("*.so*") if p.is_file())
    out("| | bytes |\n| --- | --- |")
    out(f"| `//bench:native_imports` (numpy, Pillow, pydantic-core) | {with_wheels:,} |")
    out(f"| `//bench:native_imports_none` (the same program, no wheels) | {without:,} |")
    out(f"| added by the wheels | {with_wheels - without:,} |")
    out(f"| of which shared objects embedded ({len(shared)} files of {', '.join(packages)}) | {so_bytes:,} |")
    out(f"| of which the rest: their modules (bytecode; sources zstd), data, the stdlib they import, 64 KiB alignment, "
        f"the export table | {with_wheels - without - so_bytes:,} |")
    out(f"| the blob with / without the wheels | {blob_with:,} / {blob_without:,} |")
    out(f"| for comparison: the same wheels unpacked on disk (no `__pycache__`), of which `.so` files | {on_disk:,}, {on_disk_so:,} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="runs per command (default 20, 5 with --quick)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output-base", help="Bazel's output base (default: the workspace's)")
    parser.add_argument("--no-build-time", action="store_true", help="skip the build-time measurements")
    parser.add_argument("--no-from-source", action="store_true", help="skip the build of numpy from its sdist")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 20)
    lines = []

    def out(line=""):
        print(line, flush=True)
        lines.append(line)

    load_start = os.getloadavg()
    say("building " + " ".join(TARGETS))
    bazel("build", *TARGETS, MUSL, output_base=args.output_base)
    paths, base = outputs(args.output_base)
    binary = paths["native_imports"]
    with tempfile.TemporaryDirectory(prefix="pystatic-bench-native-") as tmp:
        site = pathlib.Path(tmp) / "site"
        wheels = wheel_dirs(base)
        make_site(wheels, paths["python"], site)
        interpreter = interpreter_from_disk(paths["python"], site)
        say(f"measuring imports, {runs} rounds")
        samples = measure_imports(binary, site, runs)
        crc = checksummed(binary, site)
        load_imports = os.getloadavg()
        out(HEADING)
        out()
        out(f"Measured {datetime.date.today()} by `bench/native_wheels.py` ({os.cpu_count()} cores, shared with other "
            f"builds; load average {load_start[0]:.1f} at the start, {load_imports[0]:.1f} after the imports). "
            f"Wheels: {', '.join(w.name for w in wheels.values())}. Rerun: `bench/native_wheels.py` (or "
            "`bench/run --only native`).")
        out()
        out(f"### Import time: min / median of {runs} runs, interleaved")
        out()
        import_table(samples, crc, out)
        out()
        out("*memory*: `//bench:native_imports` as built, the shared objects mapped from the executable file; *copy*: "
            "the same with `PYSTATIC_NATIVE_COPY=1`; *disk*: the same binary with `--disk SITE`, the same wheel files "
            "unpacked into SITE with their `.pyc` compiled by the same CPython build, found first by a path finder "
            "(bench/programs/bench_imports.py): same interpreter, loader and export table, only the files differ. "
            "*process*: fork to exit, measured outside; *import*: `time.perf_counter_ns()` around the statements inside. "
            "The extension modules each variant loaded are checked to come from where it says. *objects loaded*: the "
            "bytes of the shared objects the import loads (`PYSTATIC_TRACE_NATIVE`), and the time the binary's zlib "
            f"`crc32` takes over that many bytes ({crc[1] / 1e9:.2f} GB/s, best of 5, in cache): the blob verifies "
            "a payload's CRC-32 on its first use, a whole shared object before it is mapped; from disk nothing is "
            "verified.")
        out()
        ok = all(v == "ok" for v in interpreter.values())
        out("`//examples/python` (a py_static_interpreter of the same build) with `PYTHONPATH=SITE`: "
            + ("imports all three from disk." if ok else
               "; ".join(f"{k}: `{v}`" for k, v in interpreter.items())
               + ". Its export table holds only what its own embedded objects need (none), so a `.so` on disk "
               "finds no libc symbol there; that is why the disk column runs the wheels' binary instead."))
        out()
        out("### RSS after the imports (medians, /proc/self/status inside the process)")
        out()
        rss_table(samples, out)
        out()
        out("RssFile of *memory* counts every page of each loaded object: the blob's CRC-32 of a payload, checked "
            "on first use, reads the whole object (numpy's OpenBLAS too); from disk only the pages touched are "
            "resident. Those file pages are shared between processes running the binary and can be dropped under "
            "pressure; *copy*'s are private anonymous memory.")
        out()
        out("### Size")
        out()
        sizes(paths, base, site, out)
    if not args.no_build_time:
        out()
        out("### Build time of a numpy app (`//bench:native_numpy`)")
        out()
        outcome = build_times(args.output_base, not args.no_from_source, out)
        if outcome and 'Module "features" does not exist' in outcome:
            out()
            out("numpy's `pyproject.toml` names its own fork of meson (`[tool.meson-python] meson = "
                "'vendored-meson/meson/meson.py'`, which adds the `features` module); the sdist build sets `MESON` to "
                "the build lock's meson, upstream's (actions/pystatic/packages/sdist/meson.py), which meson-python "
                "takes instead, so configure stops before anything is compiled.")
    out()
    out(f"Load average at the end: {os.getloadavg()[0]:.1f}.")
    if not args.no_write:
        bench_tools.replace_section(HEADING, "\n".join(lines))
        say("updated bench/results.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
