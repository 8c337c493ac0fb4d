"""Builds zig's libraries for one target (musl libc, zig's libc parts, compiler_rt) into the outputs;
with --cxx, its C++ runtime instead (libc++abi, libc++, libunwind).

zig builds them into its cache for any static link; this action links a one-line C program with an
empty cache of its own (zig's -v prints the linker's command line) and copies what the linker got.
The cc wrapper then links these files with -nostdlib (distribution/toolchains/zig/repositories.bzl), so
no link action builds them (about 30 s each) and none shares a cache outside its key.

The C++ runtime is for the actions that link C++ (sdist builds, docs/extensions.md): each built it
in its own cache before (about 80 s a link), and every C++ package paid for it again.

Paths zig records in the archives (member names, debug info) are relative: the action runs in a
scratch directory named by its output, with zig's lib/ reached as `zig-lib` and the cache as `cache`.
"""

import argparse
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from pystatic.distribution.configure_make import scratch_dir

PROBE = "int main(void) { return 0; }\n"
# Throws and catches: zig links all three C++ archives (exceptions need libc++abi and libunwind).
CXX_PROBE = ('#include <stdexcept>\nint main() { try { throw std::runtime_error("x"); } '
             'catch (const std::exception &) {} return 0; }\n')

# Flags of the link that decide what zig builds: the toolchain's link flags (static, -O2), and UBSan so
# that zig also builds its UBSan runtime (-O2: the same libc.a), which objects compiled without -O need.
LINK_FLAGS = ["-static", "-O2", "-fsanitize=undefined"]
# The C++ runtime as an sdist's C++ link gets it (its compiler flags: -O2, no sanitizer).
CXX_LINK_FLAGS = ["-static", "-O2", "-lc++"]


def linker_inputs(verbose_output):
    """The input files of the ld.lld command line in zig cc -v's output (the last one: the final link)."""
    lines = [line for line in verbose_output.splitlines() if line.startswith("ld.lld ") and " -r " not in f" {line} "]
    if not lines:
        return []
    words = shlex.split(lines[-1])
    inputs, skip = [], False
    for word in words[1:]:
        if skip:
            skip = False
        elif word in ("-o", "-m", "-mllvm", "--entry", "-z", "--image-base", "-L"):
            skip = True
        elif not word.startswith("-"):
            inputs.append(word)
    return inputs


def pick_runtime(inputs, names, ignored=()):
    """{name: path} of the runtime files among the linker's inputs (zig's, in its cache; the probe's own
    object and the `ignored` names aside); ValueError naming what is missing, or what zig linked besides them."""
    found, other = {}, []
    for path in inputs:
        base = os.path.basename(path)
        if not path.startswith("cache/") or base == "probe.o" or base in ignored:
            continue
        if base in names:
            found[base] = path
        else:
            other.append(base)
    missing = [n for n in names if n not in found]
    if missing or other:
        raise ValueError(f"zig's link named {', '.join(other) or 'nothing else'} besides, and not "
                         f"{', '.join(missing) or 'nothing missing'} (linker inputs: {' '.join(inputs)})")
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zig", required=True)
    parser.add_argument("--lib", required=True, help="zig's lib/ directory")
    parser.add_argument("--target", required=True)
    parser.add_argument("--output", action="append", required=True, help="an output file, named as zig's")
    parser.add_argument("--cxx", action="store_true", help="the C++ runtime (libc++abi, libc++, libunwind)")
    parser.add_argument("--also_linked", action="append", default=[],
                        help="a file zig links that is not an output (with --cxx: the C runtime action's files)")
    args = parser.parse_args(argv)
    outputs = {os.path.basename(o): pathlib.Path(o).resolve() for o in args.output}
    zig = pathlib.Path(args.zig).resolve()
    lib = pathlib.Path(args.lib).resolve()
    work = scratch_dir(sorted(args.output)[0])  # the execroot-relative path: the same on every machine
    (work / "zig-lib").symlink_to(lib)
    probe = "probe.cpp" if args.cxx else "probe.c"
    (work / probe).write_text(CXX_PROBE if args.cxx else PROBE)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "TMPDIR": str(work),
           "ZIG_LIB_DIR": "zig-lib", "ZIG_GLOBAL_CACHE_DIR": "cache", "ZIG_LOCAL_CACHE_DIR": "cache"}
    flags = CXX_LINK_FLAGS if args.cxx else LINK_FLAGS
    cmd = [str(zig), "cc", "-target", args.target, *flags, probe, "-o", "probe", "-v"]
    run = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"error: zig could not link a program for {args.target} ({' '.join(cmd)}):\n{run.stderr[-3000:]}",
              file=sys.stderr)
        return 1
    try:
        found = pick_runtime(linker_inputs(run.stderr), sorted(outputs), args.also_linked)
    except ValueError as err:
        print(f"error: zig_runtime for {args.target}: {err}. A new zig links other files: update "
              "ZIG_RUNTIME_FILES (or ZIG_CXX_RUNTIME_FILES) in distribution/toolchains/zig/runtime.bzl and the cc wrapper.", file=sys.stderr)
        return 1
    for name, path in found.items():
        shutil.copyfile(work / path, outputs[name])
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
