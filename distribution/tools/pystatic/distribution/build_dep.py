"""Builds one C library that CPython's extension modules need, as a static archive (one action).

Output: a prefix directory (include/, lib/*.a, lib/pkgconfig/) installed under the fixed prefix
`/pystatic-deps` (rewritten by consumers), plus the library's licence text as LICENSE.<name>.
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

# OpenSSL's Configure target per target triple.
OPENSSL_TARGETS = {"x86_64-linux-musl": "linux-x86_64", "aarch64-linux-musl": "linux-aarch64"}


def _build(args):
    """autoconf's --build for cross builds (else it guesses the build machine, and runs a test program)."""
    return [f"--build={args.build_target}"] if args.build_target else []


def _zlib(args):
    return [
        ["./configure", "--static", f"--prefix={PREFIX}"],
        ["make", f"-j{args.jobs}", "libz.a"],
        ["make", "install"],
    ]


def _bzip2(args):
    # No configure; build only the library and install it by hand (its Makefile wants shared too).
    return [
        ["make", f"-j{args.jobs}", "libbz2.a", f"CC={args.cc_abs}", f"AR={args.ar_abs}", "RANLIB=true",
         f"CFLAGS={CFLAGS} -D_FILE_OFFSET_BITS=64"],
        ["sh", "-c", f'mkdir -p "$DESTDIR{PREFIX}/lib" "$DESTDIR{PREFIX}/include" && '
         f'cp libbz2.a "$DESTDIR{PREFIX}/lib/" && cp bzlib.h "$DESTDIR{PREFIX}/include/"'],
    ]


def _xz(args):
    return [
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *_build(args), "--disable-shared", "--enable-static",
         "--disable-xz", "--disable-xzdec", "--disable-lzmadec", "--disable-lzmainfo", "--disable-lzma-links",
         "--disable-scripts", "--disable-doc", "--disable-nls"],
        ["make", f"-j{args.jobs}", "-C", "src/liblzma"],
        ["make", "-C", "src/liblzma", "install"],
    ]


def _openssl(args):
    if args.target not in OPENSSL_TARGETS:
        raise BuildError(f"no OpenSSL Configure target for {args.target}; known: {', '.join(sorted(OPENSSL_TARGETS))}")
    return [
        ["perl", "./Configure", OPENSSL_TARGETS[args.target], f"--prefix={PREFIX}", "--libdir=lib",
         "no-shared", "no-apps", "no-tests", "no-docs", "no-dso", "no-engine", "no-module", *CFLAGS.split()],
        ["make", f"-j{args.jobs}", "build_libs"],
        ["make", "install_dev", f"DESTDIR={args.stage}"],  # a make variable here, not the environment
    ]


def _libffi(args):
    return [
        # A git-tree archive (Debian's) has no generated configure script.
        ["sh", "-c", "test -x configure || autoreconf -fi"],
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *_build(args), "--disable-shared", "--enable-static",
         "--disable-docs", "--disable-multi-os-directory", "--without-pic"],
        ["make", f"-j{args.jobs}"],
        ["make", "install"],
    ]


def _sqlite3(args):
    # The full source tree (not the amalgamation): autosetup's configure runs on jimsh0, a Tcl
    # built from autosetup/jimsh0.c, which also generates sqlite3.c; no tclsh needed. jimsh0 and
    # the code generators (lemon, mkkeywordhash) are built with the build machine's cc: the
    # target's cc when it is x86_64 (zig's musl binaries run there), --build-cc when cross.
    build_cc = args.build_cc_abs or args.cc_abs
    return [
        ["sh", "-c", f'"{build_cc}" -O1 -g0 -o jimsh0 autosetup/jimsh0.c'],
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *_build(args), f"CC_FOR_BUILD={build_cc}",
         "--disable-shared", "--disable-tcl", "--disable-readline", "--disable-load-extension",
         "--fts4", "--fts5", "--rtree", "--dbstat", "--disable-rpath"],
        ["make", f"-j{args.jobs}", "libsqlite3.a"],
        ["make", "install-lib", "install-headers", "install-pc"],
    ]


def _libuuid(args):
    # util-linux: only libuuid (BSD-3-Clause), no programs (most of util-linux is GPL).
    return [
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *_build(args), "--disable-shared", "--enable-static",
         "--disable-all-programs", "--enable-libuuid", "--disable-nls", "--disable-asciidoc", "--disable-poman",
         "--disable-bash-completion", "--without-systemd", "--without-udev", "--without-python",
         "--without-readline", "--without-ncursesw", "--without-ncurses", "--without-tinfo", "--without-cryptsetup",
         "--disable-makeinstall-chown", "--disable-makeinstall-setuid", "--without-pic"],
        ["make", f"-j{args.jobs}", "libuuid.la"],
        ["make", "install-usrlib_execLTLIBRARIES", "install-uuidincHEADERS", "install-pkgconfigDATA"],
    ]


def _zstd(args):
    # Plain Makefile; the static library is single-threaded (no ZSTD_MULTITHREAD). No decoders of the
    # pre-1.0 frame formats (v0.1-v0.7, the Makefile's default ZSTD_LEGACY_SUPPORT=5): the only frames
    # a binary decodes are its blob's, written by pack_blob with today's format (0.1 MB less code).
    make = ["make", "-C", "lib", f"CC={args.cc_abs}", f"AR={args.ar_abs}", f"prefix={PREFIX}", "ZSTD_LEGACY_SUPPORT=0"]
    return [
        make + [f"-j{args.jobs}", "libzstd.a"],
        make + ["install-static", "install-includes", "install-pc"],
    ]


# name -> (licence files in the source tree, concatenated; commands to run in the source
#          directory; the archives it installs, in single-pass link order).
RECIPES = {
    "bzip2": (["LICENSE"], _bzip2, ["libbz2.a"]),
    "libffi": (["LICENSE"], _libffi, ["libffi.a"]),
    # libuuid/COPYING points to the BSD-3-Clause text; the copyright line is in the headers.
    "libuuid": (["libuuid/COPYING", "Documentation/licenses/COPYING.BSD-3-Clause", "libuuid/src/uuid.h"], _libuuid,
                ["libuuid.a"]),
    "openssl": (["LICENSE.txt"], _openssl, ["libssl.a", "libcrypto.a"]),
    "sqlite3": (["LICENSE.md"], _sqlite3, ["libsqlite3.a"]),
    "xz": (["COPYING.0BSD"], _xz, ["liblzma.a"]),
    "zlib": (["LICENSE"], _zlib, ["libz.a"]),
    # Dual-licensed BSD-3-Clause (LICENSE) or GPL-2.0-only (COPYING): shipped under BSD-3-Clause.
    "zstd": (["LICENSE"], _zstd, ["libzstd.a"]),
}


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


def build(args, log):
    if args.name not in RECIPES:
        raise BuildError(f"no recipe for '{args.name}'; known: {', '.join(sorted(RECIPES))}")
    license_files, recipe, archives = RECIPES[args.name]
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--name", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--target", required=True, help="target triple, e.g. x86_64-linux-musl")
    parser.add_argument("--build-target", help="cross builds: the build machine's triple")
    parser.add_argument("--build-cc", help="cross builds: a C compiler for programs run during the build")
    parser.add_argument("--cc", required=True)
    parser.add_argument("--ar", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))
    code, _ = logged_build(args.log, args.name, lambda log: build(args, log))
    return code


if __name__ == "__main__":
    sys.exit(main())
