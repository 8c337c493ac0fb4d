"""Builds one C library from a recipe into a relocatable prefix: the engine of build_dep.py and
build_native.py, which each hold only their own table of recipes.

Output: a prefix directory (include/, lib/*.a, lib/pkgconfig/) installed under the fixed prefix
`/pystatic-deps` (rewritten by consumers), plus the library's licence text as LICENSE.<name>.

A recipe is `name -> (licence files in the source tree, concatenated; a function of the parsed
arguments returning the commands to run in the source directory; the archives it installs, in
single-pass link order)`.
"""

import argparse
import pathlib
import re
import shutil
import sys

from pystatic.common.action_args import expand_param_files
from pystatic.distribution.configure_make import (
    LINK_ORDER_FILE,
    NO_UNWIND_TABLES,
    OPTIMISATION_FLAGS,
    SECTION_FLAGS,
    BuildError,
    build_env,
    logged_build,
    run,
    scratch_dir,
)
from pystatic.distribution.source_archive import extract_source

PREFIX = "/pystatic-deps"

# Compiler flags of every library: the distribution's tables (configure_make.py).
CFLAGS = " ".join({**OPTIMISATION_FLAGS, **SECTION_FLAGS, **NO_UNWIND_TABLES})


def autoconf_build(args):
    """autoconf's --build for cross builds (else it guesses the build machine, and runs a test program)."""
    return [f"--build={args.build_target}"] if args.build_target else []


def license_text(src, files):
    """The licence texts, concatenated; of a C source or header only its leading comment."""
    parts = []
    for name in files:
        text = (src / name).read_text(errors="replace")
        if name.endswith((".c", ".h")):
            end = text.find("*/")
            if not text.lstrip().startswith("/*") or end < 0:
                raise BuildError(f"{name}: no leading comment with the licence")
            text = text[: end + 2] + "\n"
        parts.append(f"==> {name} <==\n{text}" if len(files) > 1 else text)
    return "\n".join(parts)


def relocatable_pc(text):
    """A pkg-config file whose paths all derive from its `prefix=` line, which consumers rewrite.

    Some (util-linux's uuid.pc) spell libdir and includedir out as absolute paths.
    """
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith("prefix="):
            line = re.sub(re.escape(PREFIX) + r"(?=/|\s|$)", "${prefix}", line)
        lines.append(line)
    return "".join(lines)


def build(args, log, recipes):
    if args.name not in recipes:
        raise BuildError(f"no recipe for '{args.name}'; known: {', '.join(sorted(recipes))}")
    license_files, recipe, archives = recipes[args.name]
    work = scratch_dir(args.output)
    src = extract_source(args.source, work)
    stage = work / "stage"
    args.stage = str(stage)
    env = build_env(work, args.cc, args.ar, CFLAGS=CFLAGS, DESTDIR=str(stage))
    args.cc_abs, args.ar_abs = env["CC"], env["AR"]
    args.build_cc_abs = None
    if args.build_cc:
        # Next to cc and ar in the scratch directory, so recorded paths stay machine-independent.
        link = pathlib.Path(env["CC"]).parent / "build-cc"
        link.symlink_to(pathlib.Path(args.build_cc).resolve())
        args.build_cc_abs = str(link)
    for cmd in recipe(args):
        run(cmd, src, env, log)
    out = pathlib.Path(args.output)
    # Bazel creates the output directory beforehand.
    shutil.copytree(stage / PREFIX.lstrip("/"), out, ignore=shutil.ignore_patterns("*.so*", "*.la", "man", "share"),
                    dirs_exist_ok=True)
    for pc in (out / "lib" / "pkgconfig").glob("*.pc"):
        pc.chmod(0o644)
        pc.write_text(relocatable_pc(pc.read_text()))
    (out / f"LICENSE.{args.name}").write_text(license_text(src, license_files))
    missing = [a for a in archives if not (out / "lib" / a).is_file()]
    if missing:
        raise BuildError(f"the build installed no {', '.join(missing)}")
    (out / LINK_ORDER_FILE).write_text("".join(a + "\n" for a in archives))
    shutil.rmtree(work, ignore_errors=True)


def parse_args(argv, description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--name", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--target", required=True, help="target triple, e.g. x86_64-linux-musl")
    parser.add_argument("--openssl_target", help="OpenSSL's Configure target: the target row's openssl_target")
    parser.add_argument("--build-target", help="cross builds: the build machine's triple")
    parser.add_argument("--build-cc", help="cross builds: a C compiler for programs run during the build")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", required=True)
    parser.add_argument("--log", required=True)
    return parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))


def main(argv, recipes, description):
    """Builds the library `--name` of `recipes`; the exit code (errors printed with the log's end)."""
    args = parse_args(argv, description)
    code, _ = logged_build(args.log, args.name, lambda log: build(args, log, recipes))
    return code
