#!/usr/bin/env python3
"""BOLT (LLVM's post-link optimiser): the profile the ruleset's builds use, and the BOLT build for
bench/pyperformance --bolt.

`bench/bolt.py --write-profile` makes the checked-in profile of the interpreter core
(distribution/toolchains/cpython/bolt/cpython-<version>-x86_64.fdata.xz and its .json), once per
CPython source, PGO profile or change of the build's flags, as bench/pgo/generate makes PGO's:

1. the CppLink action of //examples/python (`tools/bazel aquery`), run again with
   ZIG_VERBOSE_LINK=1: zig prints the ld.lld command it runs;
2. that command through `zig ld.lld` without `-s`, with `--emit-relocs`: the same code, with its
   symbols and relocations (what the PyStaticBolt action does for every binary);
3. the pinned llvm-bolt (@pystatic_llvm_bolt: Debian's bolt-19) instruments it. A static executable
   has no finaliser hook for the profile, so the runtime forks a process that writes it every few
   seconds (`-instrumentation-sleep-time`); that process outlives the program and is stopped
   once the last write is done;
4. training: CPython's own PGO task set (`python -m test --pgo`, Lib/test of the pinned source
   archive on PYTHONPATH), as bench/pgo/generate trains PGO, not pyperformance's programs (the
   benchmark does not grade its own training). It runs in one process, and `sys.executable` names
   the uninstrumented build, so the python subprocesses some tests start write no profile of
   their own over it.

The BOLT build itself is the ruleset's: //bench:python_bolt (py_static_interpreter, bolt = "on"),
whose PyStaticBolt action applies the checked-in profile with CPython's BOLT_APPLY_FLAGS.
"""

import argparse
import hashlib
import json
import lzma
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.machinery import SourceFileLoader

import bench_tools

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "actions"))
sys.path.insert(1, str(REPO / "distribution" / "actions"))
from pystatic.binary import bolt as PYSTATIC_BOLT  # noqa: E402
PGO_GENERATE = SourceFileLoader("pgo_generate", str(REPO / "bench" / "pgo" / "generate")).load_module()
INTERPRETER = "//examples/python"
BOLT_BUILD = "//bench:python_bolt"
LLVM_BOLT = "@pystatic_llvm_bolt//:llvm_bolt"
PROFILES = REPO / "distribution" / "toolchains" / "cpython" / "bolt"
SLEEP_SECONDS = 5
TRAINING = "import sys\nsys.executable = sys.argv[1]\nsys.argv[1:] = ['--pgo', '--timeout=900']\n" \
           "from test.libregrtest.main import main\nmain()\n"


def say(message):
    print(f"bench/bolt: {message}", file=sys.stderr, flush=True)


def bazel(workspace, *args):
    return bench_tools.bazel(*args, bench_tools.MUSL, workspace=workspace)


def relink_with_relocations(workspace, out):
    """The interpreter's link again, keeping symbols and relocations (steps 1 and 2); returns the
    output base's external/ (the source archive and llvm-bolt are there)."""
    bazel(workspace, "build", INTERPRETER, LLVM_BOLT, "--remote_download_outputs=all")
    execroot = pathlib.Path(bazel(workspace, "info", "execution_root").strip())
    external = pathlib.Path(bazel(workspace, "info", "output_base").strip()) / "external"
    graph = json.loads(bazel(workspace, "aquery", f"mnemonic(CppLink, {INTERPRETER})", "--output=jsonproto"))
    (action,) = graph["actions"]
    argv = [str(external / a[len("external/"):]) if a.startswith("external/") else a for a in action["arguments"]]
    env = {e["key"]: e["value"] for e in action.get("environmentVariables", [])}
    argv[argv.index("-o") + 1] = str(out.with_suffix(".zig-cc"))
    shown = subprocess.run(argv, cwd=execroot, env={**env, "ZIG_VERBOSE_LINK": "1"}, capture_output=True, text=True)
    if shown.returncode != 0:
        sys.exit(f"bench/bolt: the interpreter's link failed:\n{shown.stderr[-3000:]}")
    try:
        lld = PYSTATIC_BOLT.ld_lld_arguments(shown.stderr, out)  # what the PyStaticBolt action runs
    except PYSTATIC_BOLT.BoltError as error:
        sys.exit(f"bench/bolt: {error}")
    zig = pathlib.Path(argv[0]).resolve().parents[1] / "ziglang" / "zig"
    subprocess.run([str(zig), "ld.lld", *lld], cwd=execroot, env={**env, "PATH": "/usr/bin:/bin"}, check=True)
    return external


def llvm_bolt(workspace, *args):
    """The pinned llvm-bolt (@pystatic_llvm_bolt, built by relink_with_relocations), with its libz3 (its
    instrumentation runtime is beside it: libbolt-19-dev); exits on failure."""
    files = bazel(workspace, "cquery", LLVM_BOLT, "--output=files").split()
    execroot = pathlib.Path(bazel(workspace, "info", "execution_root").strip())
    program = execroot / next(f for f in files if f.endswith("/llvm-bolt"))
    libraries = execroot / pathlib.Path(next(f for f in files if ".so" in f)).parent
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(libraries)}
    result = subprocess.run([str(program), *map(str, args)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"bench/bolt: llvm-bolt {' '.join(map(str, args))} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return program


def train(instrumented, baseline, tests, work, profile):
    """Step 4; returns the training's seconds."""
    started = time.monotonic()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "PYTHONPATH": str(tests)}
    # A failing test still trains (some need what a static interpreter lacks).
    subprocess.run([str(instrumented), "-c", TRAINING, str(baseline)], cwd=work, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(SLEEP_SECONDS + 2)  # the profile writer's last round, after the program exited
    subprocess.run(["pkill", "-f", f"^{instrumented}( |$)"])
    if not profile.exists():
        sys.exit(f"bench/bolt: the training wrote no profile ({profile})")
    return time.monotonic() - started


def write_profile(workspace, work):
    """Steps 1-4, then the profile and its .json into PROFILES; returns the profile's path."""
    started = time.monotonic()
    relocs = work / "python-relocs"
    external = relink_with_relocations(workspace, relocs)
    baseline = work / "python"
    shutil.copy2(relocs.with_suffix(".zig-cc"), baseline)  # sys.executable of the training's subprocesses
    instrumented, profile = work / "python-instrumented", work / "python.fdata"
    program = llvm_bolt(workspace, relocs, "-instrument", "-o", instrumented, f"-instrumentation-file={profile}",
              f"-instrumentation-sleep-time={SLEEP_SECONDS}", "-instrumentation-no-counters-clear")
    archives = sorted(external.glob("*pystatic_cpython_src_3_13/Python-*.tar.*"))
    if not archives:
        sys.exit(f"bench/bolt: no CPython source archive in {external}")
    PGO_GENERATE.extract_tests(archives[-1], work / "lib")  # Lib/test as the package `test`
    seconds = train(instrumented, baseline, work / "lib", work, profile)
    version = archives[-1].name[len("Python-"):].split(".tar")[0]
    out = PROFILES / f"cpython-{version}-x86_64.fdata.xz"
    minor = ".".join(version.split(".")[:2])
    for old in PROFILES.glob(f"cpython-{minor}.*-x86_64.fdata.*"):  # this build's earlier profile, not other versions'
        old.unlink()
    out.write_bytes(lzma.compress(profile.read_bytes(), preset=9))
    versions = json.loads((program.parents[4] / "versions.json").read_text())  # the repository's root
    out.with_name(f"cpython-{version}-x86_64.fdata.json").write_text(json.dumps({
        "python_version": version,
        "source_sha256": hashlib.sha256(archives[-1].read_bytes()).hexdigest(),
        "llvm_bolt": f"Debian bolt-19 {versions['bolt-19']['version']}",
        "trained_on": "x86_64-linux-musl (//examples/python)",
        "training": "python -m test --pgo --timeout=900",
    }, indent=1, sort_keys=True) + "\n")
    say(f"{out.relative_to(REPO)}: trained {seconds:.0f} s, {time.monotonic() - started:.0f} s in all")
    return out


def bolted_interpreter(workspace, work):
    """A copy of the ruleset's BOLT build of the interpreter (//bench:python_bolt), in `work`."""
    bazel(workspace, "build", BOLT_BUILD, "--remote_download_outputs=all")
    built = next(p for p in bazel(workspace, "cquery", BOLT_BUILD, "--output=files").split() if p.endswith("/python_bolt"))
    copy = work / "python-bolt"
    shutil.copy2((workspace / built).resolve(), copy)  # the bazel-bin link follows the workspace's next build
    return copy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write-profile", action="store_true", required=True,
                        help="make the BOLT profile of the interpreter core and write it beside the PGO profile")
    parser.add_argument("--workspace", default=str(REPO))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pystatic-bolt-", dir=os.environ.get("TMPDIR")) as work:
        write_profile(pathlib.Path(args.workspace).resolve(), pathlib.Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
