"""Builds one C library that CPython's extension modules need, as a static archive (one action).

This file is the recipes of the distribution's libraries (sources.json `deps`); dep_builder.py builds
one of them into a prefix (include/, lib/*.a, lib/pkgconfig/, LICENSE.<name>).
"""

import sys

from pystatic.distribution import dep_builder
from pystatic.distribution.configure_make import BuildError
from pystatic.distribution.dep_builder import CFLAGS, PREFIX, autoconf_build


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
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), "--disable-shared", "--enable-static",
         "--disable-xz", "--disable-xzdec", "--disable-lzmadec", "--disable-lzmainfo", "--disable-lzma-links",
         "--disable-scripts", "--disable-doc", "--disable-nls"],
        ["make", f"-j{args.jobs}", "-C", "src/liblzma"],
        ["make", "-C", "src/liblzma", "install"],
    ]


def _openssl(args):
    if not args.openssl_target:
        raise BuildError(f"no OpenSSL Configure target for {args.target}: --openssl_target (its row's openssl_target "
                         "in distribution/toolchains/targets.bzl) is missing")
    return [
        ["perl", "./Configure", args.openssl_target, f"--prefix={PREFIX}", "--libdir=lib",
         "no-shared", "no-apps", "no-tests", "no-docs", "no-dso", "no-engine", "no-module", *CFLAGS.split()],
        ["make", f"-j{args.jobs}", "build_libs"],
        ["make", "install_dev", f"DESTDIR={args.stage}"],  # a make variable here, not the environment
    ]


def _libffi(args):
    return [
        # A git-tree archive (Debian's) has no generated configure script.
        ["sh", "-c", "test -x configure || autoreconf -fi"],
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), "--disable-shared", "--enable-static",
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
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), f"CC_FOR_BUILD={build_cc}",
         "--disable-shared", "--disable-tcl", "--disable-readline", "--disable-load-extension",
         "--fts4", "--fts5", "--rtree", "--dbstat", "--disable-rpath"],
        ["make", f"-j{args.jobs}", "libsqlite3.a"],
        ["make", "install-lib", "install-headers", "install-pc"],
    ]


def _libuuid(args):
    # util-linux: only libuuid (BSD-3-Clause), no programs (most of util-linux is GPL).
    return [
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), "--disable-shared", "--enable-static",
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


def main(argv=None):
    return dep_builder.main(argv, RECIPES, __doc__)


if __name__ == "__main__":
    sys.exit(main())
