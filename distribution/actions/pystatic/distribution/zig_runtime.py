"""Builds zig's libraries for one target (musl libc or mingw-w64's CRT, zig's libc parts, compiler_rt)
into the outputs; with --cxx, its C++ runtime instead (libc++abi, libc++, libunwind).

zig builds them into its cache for any static link; this action links a one-line C program with an
empty cache of its own (zig's -v prints the linker's command line) and copies what the linker got.
The cc wrapper then links these files with -nostdlib (distribution/toolchains/zig/repositories.bzl), so
no link action builds them (about 30 s each) and none shares a cache outside its key.

For windows-gnu the linker is lld-link, and a second probe with a `wmain` (-municode) gives the
start-up object of wide-character programs (--wide_entry_output): mingw-w64 compiles crtexe.c once
per entry. libmingw32.lib loses the members that define `main` and `wmain` for programs that have
only a WinMain (WINMAIN_SHIMS): zig places the object of a source compiled in the link command
(configure's test programs) after every file named on it, so lld-link, which takes an archive member
for a symbol undefined when it reads the archive, would take the shim's `main` before the program's
and fail with a duplicate. GUI programs (-mwindows) keep zig's own link (the cc wrapper).

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

# libmingw32.lib's members that define main (wmain) as a call of WinMain (wWinMain): left out (above).
WINMAIN_SHIMS = {"libmingw32.lib": ("crtexewin.obj", "ucrtexewin.obj")}

PROBE = "int main(void) { return 0; }\n"
WIDE_PROBE = "#include <wchar.h>\nint wmain(int argc, wchar_t **argv) { return 0; }\n"
# Throws and catches: zig links all three C++ archives (exceptions need libc++abi and libunwind).
CXX_PROBE = ('#include <stdexcept>\nint main() { try { throw std::runtime_error("x"); } '
             'catch (const std::exception &) {} return 0; }\n')

# Flags of the link that decide what zig builds: the toolchain's link flags (static, -O2), and UBSan so
# that zig also builds its UBSan runtime (-O2: the same libc.a), which objects compiled without -O need.
LINK_FLAGS = ["-static", "-O2", "-fsanitize=undefined"]
# The C++ runtime as an sdist's C++ link gets it (its compiler flags: -O2, no sanitizer).
CXX_LINK_FLAGS = ["-static", "-O2", "-lc++"]


def linker_inputs(verbose_output):
    """The input files of the ld.lld (ELF) or lld-link (COFF) command line in zig cc -v's output (the
    last one: the final link)."""
    lines = [line for line in verbose_output.splitlines()
             if line.startswith(("ld.lld ", "lld-link ")) and " -r " not in f" {line} "]
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
        if not path.startswith("cache/") or base.startswith("probe.") or base in ignored:
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
    parser.add_argument("--wide_entry_output", help="windows-gnu: the output that gets the start-up object of a wmain")
    args = parser.parse_args(argv)
    outputs = {os.path.basename(o): pathlib.Path(o).resolve() for o in args.output}
    zig = pathlib.Path(args.zig).resolve()
    lib = pathlib.Path(args.lib).resolve()
    work = scratch_dir(sorted(args.output)[0])  # the execroot-relative path: the same on every machine
    (work / "zig-lib").symlink_to(lib)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "TMPDIR": str(work),
           "ZIG_LIB_DIR": "zig-lib", "ZIG_GLOBAL_CACHE_DIR": "cache", "ZIG_LOCAL_CACHE_DIR": "cache"}
    flags = CXX_LINK_FLAGS if args.cxx else LINK_FLAGS
    names = sorted(n for n in outputs if n != args.wide_entry_output)
    probes = [("probe.cpp" if args.cxx else "probe.c", CXX_PROBE if args.cxx else PROBE, [], names)]
    if args.wide_entry_output:
        # The same link with a wmain: its start-up object is the only file taken from it.
        startup = [n for n in names if n.endswith((".o", ".obj"))]
        probes.append(("probe.c", WIDE_PROBE, ["-municode"], startup))
    found = {}
    for number, (probe, text, extra_flags, wanted) in enumerate(probes):
        (work / probe).write_text(text)
        cmd = [str(zig), "cc", "-target", args.target, *flags, *extra_flags, probe, "-o", "probe", "-v"]
        run = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"error: zig could not link a program for {args.target} ({' '.join(cmd)}):\n{run.stderr[-3000:]}",
                  file=sys.stderr)
            return 1
        try:
            picked = pick_runtime(linker_inputs(run.stderr), wanted, args.also_linked + sorted(set(names) - set(wanted)))
        except ValueError as err:
            print(f"error: zig_runtime for {args.target}: {err}. A new zig links other files: update "
                  "ZIG_RUNTIME_FILES, ZIG_WINDOWS_*_FILES or ZIG_CXX_RUNTIME_FILES in "
                  "distribution/toolchains/zig/runtime.bzl and the cc wrapper.", file=sys.stderr)
            return 1
        if number == 0:
            found.update(picked)
        else:
            found[args.wide_entry_output] = next(iter(picked.values()))
    for name, path in found.items():
        shutil.copyfile(work / path, outputs[name])
        if args.wide_entry_output and name in WINMAIN_SHIMS:
            error = drop_members(zig, outputs[name], WINMAIN_SHIMS[name])
            if error:
                print(f"error: zig_runtime for {args.target}: {error}", file=sys.stderr)
                return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


def drop_members(zig, archive, names):
    """Deletes the members whose base name is one of `names` from `archive` (zig ar); an error text if
    one is missing (a new mingw-w64 renamed it: WINMAIN_SHIMS)."""
    listing = subprocess.run([str(zig), "ar", "t", str(archive)], capture_output=True, text=True, check=True).stdout
    members = [m for m in listing.splitlines() if m.rpartition("/")[2] in names]
    if sorted(m.rpartition("/")[2] for m in members) != sorted(names):
        return f"{archive.name} has no member {', '.join(names)} to leave out; update WINMAIN_SHIMS in zig_runtime.py"
    subprocess.run([str(zig), "ar", "d", str(archive), *members], check=True)
    return None


if __name__ == "__main__":
    sys.exit(main())
