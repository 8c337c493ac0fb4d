"""BOLT (LLVM's post-link optimiser) applied to the static interpreter, for bench/pyperformance --bolt.

What python-build-standalone and CPython's `--enable-bolt` do after PGO + LTO, tried here on
//examples/python (issue 28, item 4). Not part of the ruleset's builds yet: zig cc's linker driver
rejects `--emit-relocs` (and `-q`), which BOLT's relocation mode needs, and passes `-s`, which
drops the symbols; so this relinks the interpreter itself:

1. the CppLink action of //examples/python (`tools/bazel aquery`), run again with
   ZIG_VERBOSE_LINK=1: zig prints the ld.lld command it runs;
2. that command through `zig ld.lld` without `-s`, with `--emit-relocs`: the same code, with its
   symbols and relocations;
3. llvm-bolt 19 (Debian bookworm's `bolt-19`, in a debootstrapped root: `tools/debian_root`)
   instruments it. A static executable has no finaliser hook for the profile, so the runtime
   forks a process that writes it every few seconds (`-instrumentation-sleep-time`); that process
   outlives the program and is stopped once the last write is done;
4. training: CPython's own PGO task set (`python -m test --pgo`, Lib/test of the pinned source
   archive on PYTHONPATH), as bench/pgo/generate trains PGO, not pyperformance's programs (the
   benchmark does not grade its own training). It runs in one process, and `sys.executable` names
   the uninstrumented build, so the python subprocesses some tests start write no profile of
   their own over it;
5. llvm-bolt optimises with that profile and CPython's BOLT_APPLY_FLAGS (its configure.ac).
"""

import json
import pathlib
import subprocess
import sys
import time
from importlib.machinery import SourceFileLoader

import bench_tools

REPO = pathlib.Path(__file__).resolve().parents[1]
PGO_GENERATE = SourceFileLoader("pgo_generate", str(REPO / "bench" / "pgo" / "generate")).load_module()
INTERPRETER = "//examples/python"
BOLT_ROOT = ("bookworm", "bolt-19")
LLVM_BOLT = "/usr/lib/llvm-19/bin/llvm-bolt"
SLEEP_SECONDS = 5
# CPython 3.13's configure.ac, BOLT_APPLY_FLAGS (without -update-debug-sections: no debug info here).
APPLY_FLAGS = [
    "-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-icf=1", "-inline-all",
    "-split-eh", "-reorder-functions-use-hot-size", "-peepholes=none", "-jump-tables=aggressive", "-inline-ap",
    "-indirect-call-promotion=all", "-dyno-stats", "-use-gnu-stack", "-frame-opt=hot",
]
TRAINING = "import sys\nsys.executable = sys.argv[1]\nsys.argv[1:] = ['--pgo', '--timeout=900']\n" \
           "from test.libregrtest.main import main\nmain()\n"


def say(message):
    print(f"bench/bolt: {message}", file=sys.stderr, flush=True)


def relink_with_relocations(workspace, out):
    """The interpreter's link again, keeping symbols and relocations (steps 1 and 2); returns the
    output base's external/ (the source archive is there)."""
    def bazel(*args):
        return bench_tools.bazel(*args, bench_tools.MUSL, workspace=workspace)

    bazel("build", INTERPRETER, "--remote_download_outputs=all")
    execroot = pathlib.Path(bazel("info", "execution_root").strip())
    external = pathlib.Path(bazel("info", "output_base").strip()) / "external"
    graph = json.loads(bazel("aquery", f"mnemonic(CppLink, {INTERPRETER})", "--output=jsonproto"))
    (action,) = graph["actions"]
    argv = [str(external / a[len("external/"):]) if a.startswith("external/") else a for a in action["arguments"]]
    env = {e["key"]: e["value"] for e in action.get("environmentVariables", [])}
    argv[argv.index("-o") + 1] = str(out.with_suffix(".zig-cc"))
    shown = subprocess.run(argv, cwd=execroot, env={**env, "ZIG_VERBOSE_LINK": "1"}, capture_output=True, text=True)
    lld = lld_arguments(shown.stderr, out) if shown.returncode == 0 else None
    if not lld:
        sys.exit(f"bench/bolt: the interpreter's link printed no ld.lld command:\n{shown.stderr[-3000:]}")
    zig = pathlib.Path(argv[0]).resolve().parents[1] / "ziglang" / "zig"
    subprocess.run([str(zig), "ld.lld", *lld], cwd=execroot, env={**env, "PATH": "/usr/bin:/bin"}, check=True)
    return external


def lld_arguments(verbose_link, out):
    """ld.lld's arguments from zig's ZIG_VERBOSE_LINK output, writing `out` with its symbols (no -s) and
    relocations (--emit-relocs); None without an ld.lld line."""
    lines = [line for line in verbose_link.splitlines() if line.startswith("ld.lld ")]
    if not lines:
        return None
    lld = [a for a in lines[-1].split()[1:] if a != "-s"] + ["--emit-relocs"]
    lld[lld.index("-o") + 1] = str(out)
    return lld


def llvm_bolt(root, work, *args):
    """llvm-bolt in the Debian root, with `work` (every file it reads or writes) bound at its path."""
    result = subprocess.run(["bwrap", "--ro-bind", root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                             "--bind", str(work), str(work), LLVM_BOLT, *map(str, args)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bench/bolt: llvm-bolt {' '.join(map(str, args))} failed:\n{(result.stdout + result.stderr)[-3000:]}")


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


def bolted_interpreter(workspace, work, baseline):
    """Path of //examples/python optimised by BOLT, made in `work`; `baseline` is the build as it ships."""
    started = time.monotonic()
    made = subprocess.run([str(REPO / "tools" / "debian_root"), *BOLT_ROOT], capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(f"bench/bolt: tools/debian_root {' '.join(BOLT_ROOT)} failed:\n{made.stderr[-2000:]}")
    root = made.stdout.strip()
    work = work / "bolt"
    work.mkdir()
    relocs = work / "python-relocs"
    external = relink_with_relocations(workspace, relocs)
    instrumented, profile = work / "python-instrumented", work / "python.fdata"
    llvm_bolt(root, work, relocs, "-instrument", "-o", instrumented, f"-instrumentation-file={profile}",
              f"-instrumentation-sleep-time={SLEEP_SECONDS}", "-instrumentation-no-counters-clear")
    archives = sorted(external.glob("*pystatic_cpython_src_3_13/Python-*.tar.*"))
    if not archives:
        sys.exit(f"bench/bolt: no CPython source archive in {external}")
    PGO_GENERATE.extract_tests(archives[-1], work / "lib")  # Lib/test as the package `test`
    seconds = train(instrumented, baseline, work / "lib", work, profile)
    bolted = work / "python-bolt"
    llvm_bolt(root, work, relocs, "-o", bolted, f"-data={profile}", *APPLY_FLAGS)
    say(f"{bolted}: trained {seconds:.0f} s on python -m test --pgo, {time.monotonic() - started:.0f} s in all")
    return bolted
