"""PyStaticBolt: a py_static_binary's link again, optimised by LLVM's BOLT with its CPython's profile.

BOLT lays the interpreter's code out by a profile of where it runs (hot blocks and functions
together, cold code apart: what CPython's `--enable-bolt` does after PGO + LTO). docs/cpython.md,
BOLT, says what it measures. Steps, in one action (their intermediates are large and used once):

1. the link as the C toolchain's CppLink runs it (its wrapper, objects, archives and flags), with
   ZIG_VERBOSE_LINK=1: zig prints the ld.lld command it runs. zig cc refuses `--emit-relocs`;
2. that ld.lld command through `zig ld.lld`, with `--emit-relocs` and without `-s`: the same
   program with its symbols and relocations, which BOLT's function reordering needs;
3. llvm-bolt with the profile of the distribution's interpreter core (checked in per CPython
   source and CPU, made by bench/bolt.py) and CPython's BOLT_APPLY_FLAGS;
4. `strip` (GNU binutils, the exec machine's: zig objcopy cannot rewrite BOLT's output): the symbols
   the relinked program kept for BOLT go, as the toolchain's `-Wl,-S` drops them from other links.

A profile that no longer fits the code (another source, other flags) matches few of its
functions: that fails the build naming the profile and the fix, instead of shipping a binary
BOLT left as it was.
"""

import argparse
import json
import lzma
import os
import pathlib
import re
import subprocess
import sys
import tempfile

from pystatic.common.action_args import expand_param_files

# CPython 3.13's configure.ac, BOLT_APPLY_FLAGS (without -update-debug-sections: no debug info here),
# and -no-huge-pages: the new code segment 4 KiB-aligned, not at 2 MiB (1 MB less of file padding;
# pyperformance 0.93 with it, 0.94 without: the same within this machine's resolution).
APPLY_FLAGS = (
    "-reorder-blocks=ext-tsp", "-reorder-functions=cdsort", "-split-functions", "-icf=1", "-inline-all",
    "-split-eh", "-reorder-functions-use-hot-size", "-peepholes=none", "-jump-tables=aggressive", "-inline-ap",
    "-indirect-call-promotion=all", "-dyno-stats", "-use-gnu-stack", "-frame-opt=hot", "-no-huge-pages",
)
# Below this share of the binary's profiled functions whose code is still the profiled code, the
# profile is stale. A fitting one matches nearly all (the core is the profiled one's): 21 of 8,122
# changed in examples/cli, 13 of 4,802 in hello; deliberately shifted offsets: 3,600 of 4,338.
MIN_MATCHED = 0.8
# ld.lld options that drop the symbols BOLT reads.
STRIP_OPTIONS = ("-s", "--strip-all", "-S", "--strip-debug")

# llvm-bolt's summary lines (LLVM 19): the functions with a profile, those whose profile does not
# fit their code ("stale": it changed since the profile was made), and the profile's entries for
# names the binary does not have (taken from a run with a deliberately stale profile).
PROFILED = re.compile(r"BOLT-INFO: (\d+) out of \d+ functions in the binary \([\d.]+%\) have non-empty execution profile")
STALE = re.compile(r"BOLT-WARNING: (\d+) \([\d.]+% of all profiled\) functions have invalid \(possibly stale\) profile")
IGNORED = re.compile(r"BOLT-INFO: profile for (\d+) objects was ignored")


class BoltError(Exception):
    pass


def ld_lld_arguments(verbose_link, output):
    """ld.lld's arguments from zig's ZIG_VERBOSE_LINK output, writing `output` with its symbols (no -s)
    and relocations (--emit-relocs). Raises BoltError without an ld.lld line."""
    lines = [line for line in verbose_link.splitlines() if line.startswith("ld.lld ")]
    if not lines:
        raise BoltError("the link printed no ld.lld command (ZIG_VERBOSE_LINK=1):\n" + verbose_link[-3000:])
    words = lines[-1].split()[1:]
    args = [word for word in words if word not in STRIP_OPTIONS] + ["--emit-relocs"]
    if "-o" not in args:
        raise BoltError("zig's ld.lld command names no output (-o): " + lines[-1][:2000])
    args[args.index("-o") + 1] = str(output)
    return args


def profile_match(bolt_output):
    """{functions_profiled, functions_stale, profile_entries_ignored} from llvm-bolt's output; None where
    it printed no summary."""
    profiled = PROFILED.search(bolt_output)
    if not profiled:
        return None
    stale, ignored = STALE.search(bolt_output), IGNORED.search(bolt_output)
    return {
        "functions_profiled": int(profiled.group(1)),
        "functions_stale": int(stale.group(1)) if stale else 0,
        "profile_entries_ignored": int(ignored.group(1)) if ignored else 0,
    }


def check_profile(target, profile, bolt_output):
    """Raises BoltError when the profile does not fit the binary; returns profile_match's counts.

    What counts is the functions the binary has that the profile names: a profile made for other
    code finds them changed ("stale"). Profiled functions the binary lacks (built-ins an app does not
    link: most of them for a small one) say nothing about staleness.
    """
    match = profile_match(bolt_output)
    if match is None:
        raise BoltError(f"{target}: llvm-bolt printed no profile summary; its output:\n{bolt_output[-3000:]}")
    profiled, stale = match["functions_profiled"], match["functions_stale"]
    if profiled == 0 or (profiled - stale) / profiled < MIN_MATCHED:
        raise BoltError(
            f"{target}: the BOLT profile {profile} does not fit this binary's code: of the binary's {profiled} "
            f"functions it profiles, {stale} have changed since it was made ({match['profile_entries_ignored']} of "
            "its functions are not in the binary). It was made for another build of CPython (source, flags or "
            "PGO profile). Fix: make it again with bench/bolt.py --write-profile, or build without BOLT "
            "(py_static_binary's bolt = \"off\").")
    return match


def run(argv, what, env=None, cwd=None):
    try:
        result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd)
    except FileNotFoundError:
        raise BoltError(f"{what}: {argv[0]} is not on this machine (PATH {os.environ.get('PATH')})") from None
    if result.returncode != 0:
        raise BoltError(f"{what} failed (exit {result.returncode}): {' '.join(argv)[:1500]}\n"
                        f"{(result.stdout + result.stderr)[-4000:]}")
    return result.stdout + result.stderr


def bolt(args, link_command):
    # The C toolchain's wrapper and strip need the usual tools; the action's environment names none.
    os.environ.setdefault("PATH", "/usr/bin:/bin")
    with tempfile.TemporaryDirectory(prefix="pystatic-bolt.", dir=os.environ.get("TMPDIR")) as scratch:
        scratch = pathlib.Path(scratch)
        shown = run([*link_command, "-o", str(scratch / "linked")], f"{args.target}: the link",
                    env={**os.environ, "ZIG_VERBOSE_LINK": "1"})
        lld = ld_lld_arguments(shown, scratch / "relocs")
        run([args.zig, "ld.lld", *lld], f"{args.target}: the link with relocations (zig ld.lld)")
        profile = scratch / "profile.fdata"
        profile.write_bytes(lzma.decompress(pathlib.Path(args.profile).read_bytes()))
        libraries = [os.path.abspath(args.llvm_bolt_libs) if args.llvm_bolt_libs else None, os.environ.get("LD_LIBRARY_PATH")]
        env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(filter(None, libraries))}
        # llvm-bolt writes its command line into the output (.note.bolt_info): run it by fixed relative
        # names from the scratch directory, so that the note, and the binary, are the same in every build.
        (scratch / "llvm-bolt").symlink_to(os.path.abspath(args.llvm_bolt))
        output = run(["./llvm-bolt", "relocs", "-o", "bolted", f"-data={profile.name}", *APPLY_FLAGS],
                     f"{args.target}: llvm-bolt", env=env, cwd=scratch)
        report = check_profile(args.target, args.profile, output)
        run([args.strip, "--strip-all", "-o", args.output, str(scratch / "bolted")], f"{args.target}: strip")
        report.update({
            "target": args.target,
            "profile": args.profile,
            # The link without BOLT (not stripped) and the result (stripped).
            "size_linked": (scratch / "linked").stat().st_size,
            "size": pathlib.Path(args.output).stat().st_size,
        })
    return report


def main(argv=None):
    argv = expand_param_files(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        print("bolt.py: the link command follows `--`", file=sys.stderr)
        return 2
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", required=True, help="the binary's label, for messages")
    parser.add_argument("--zig", required=True, help="zig (ld.lld, objcopy)")
    parser.add_argument("--llvm_bolt", required=True)
    parser.add_argument("--llvm_bolt_libs", default="", help="directory of the libraries llvm-bolt loads")
    parser.add_argument("--profile", required=True, help="the BOLT profile (.fdata.xz)")
    parser.add_argument("--strip", default="strip", help="GNU strip")
    parser.add_argument("--output", required=True)
    parser.add_argument("--report", required=True, help="JSON: what BOLT used and the sizes (no timings: outputs are reproducible)")
    args = parser.parse_args(argv[:split])
    try:
        report = bolt(args, argv[split + 1:])
    except BoltError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    pathlib.Path(args.report).write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
