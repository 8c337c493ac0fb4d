"""Builds one C library of the distribution for a windows target (zig's x86_64-windows-gnu: the
mingw-w64 headers and the UCRT), as a static archive (one action).

The Windows recipes of sources.json's `deps` (docs/windows.md); build_dep.py holds the linux-musl
ones. Kept apart so that work on Windows leaves the Linux libraries' action keys alone (the script
is an input of every action that runs it). The engine is the same, dep_builder.py: one library
into a prefix (include/, lib/*.a, LICENSE.<name>, lib/ARCHIVES). `--target` is the row's
gnu_triple (x86_64-w64-mingw32, which autoconf's config.sub knows; zig's x86_64-windows-gnu it refuses).
"""

import sys

from pystatic.distribution import dep_builder
from pystatic.distribution.configure_make import OPTIMISATION_FLAGS, SECTION_FLAGS, BuildError
from pystatic.distribution.dep_builder import PREFIX, autoconf_build

# The distribution's flags without configure_make.NO_UNWIND_TABLES: Windows x64 unwinds with
# .pdata, and zig compiles mingw-w64's startup code (crtexe.c, whose SEH directives need an
# unwind frame) with the link's flags, so configure's test links fail without unwind tables.
CFLAGS = " ".join({**OPTIMISATION_FLAGS, **SECTION_FLAGS})


def _env(cmd):
    """cmd with CFLAGS replaced in its environment (dep_builder's names the Linux flags)."""
    return ["env", f"CFLAGS={CFLAGS}", *cmd]

# Installs files by hand into the staged prefix (DESTDIR is the environment's stage directory).
_INSTALL = 'mkdir -p "$DESTDIR{prefix}/lib" "$DESTDIR{prefix}/include" && cp {archives} "$DESTDIR{prefix}/lib/" && cp {headers} "$DESTDIR{prefix}/include/"'


def _install(archives, headers):
    return ["sh", "-c", _INSTALL.format(prefix=PREFIX, archives=" ".join(archives), headers=" ".join(headers))]


def _objects(sources, archive):
    """Compiles C files into one archive. zig cc for Windows names `-c x.c`'s output x.obj, which
    makefiles that expect x.o (bzip2's) then miss: each object is named here."""
    return _env(["sh", "-c", f'for c in {sources}; do "$CC" $CFLAGS -c "$c" -o "${{c%.c}}.o" || exit 1; done && '
            f'"$AR" rcs {archive} *.o'])


def _zlib(args):
    # zlib's configure takes zig's cc for a Unix compiler (gzwrite.c then misses EAGAIN), and
    # Debian's source has no win32/Makefile.gcc: the library is its top directory's C files.
    return [_objects("*.c", "libz.a"), _install(["libz.a"], ["zlib.h", "zconf.h"])]


def _bzip2(args):
    # Its Makefile's libbz2.a objects (the programs bzip2 and bzip2recover are not built).
    sources = "blocksort.c huffman.c crctable.c randtable.c compress.c decompress.c bzlib.c"
    return [_objects(sources, "libbz2.a"), _install(["libbz2.a"], ["bzlib.h"])]


def _xz(args):
    return [
        _env(["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), "--disable-shared", "--enable-static",
         "--disable-xz", "--disable-xzdec", "--disable-lzmadec", "--disable-lzmainfo", "--disable-lzma-links",
         "--disable-scripts", "--disable-doc", "--disable-nls"]),
        # For Windows liblzma adds a version resource (liblzma_w32res.rc, automake's am__objects_41),
        # which needs windres: no resource in a static library, so its object list is emptied.
        ["make", f"-j{args.jobs}", "-C", "src/liblzma", "am__objects_41="],
        ["make", "-C", "src/liblzma", "install", "am__objects_41="],
    ]


def _openssl(args):
    if not args.openssl_target:
        raise BuildError(f"no OpenSSL Configure target for {args.target}: --openssl_target (its row's openssl_target "
                         "in distribution/toolchains/targets.bzl) is missing")
    # RC=true: no resource compiler is needed without shared libraries and programs.
    return [
        ["perl", "./Configure", args.openssl_target, f"--prefix={PREFIX}", "--libdir=lib",
         "no-shared", "no-apps", "no-tests", "no-docs", "no-dso", "no-engine", "no-module", "RC=true", *CFLAGS.split()],
        ["make", f"-j{args.jobs}", "build_libs"],
        ["make", "install_dev", f"DESTDIR={args.stage}"],
    ]


def _libffi(args):
    return [
        ["sh", "-c", "test -x configure || autoreconf -fi"],
        _env(["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), "--disable-shared", "--enable-static",
         "--disable-docs", "--disable-multi-os-directory"]),
        ["make", f"-j{args.jobs}"],
        ["make", "install"],
    ]


def _sqlite3(args):
    # As build_dep.py's: jimsh0 and the code generators are built with the build machine's cc.
    build_cc = args.build_cc_abs or args.cc_abs
    return [
        ["sh", "-c", f'"{build_cc}" -O1 -g0 -o jimsh0 autosetup/jimsh0.c'],
        _env(["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args), f"CC_FOR_BUILD={build_cc}",
         "--disable-shared", "--disable-tcl", "--disable-readline", "--disable-load-extension",
         "--fts4", "--fts5", "--rtree", "--dbstat", "--disable-rpath"]),
        # main.mk compiles `-c sqlite3.c` without -o: zig writes sqlite3.obj, which `ar` then misses.
        ["make", f"-j{args.jobs}", "sqlite3.o"],
        ["sh", "-c", "test -f sqlite3.o || mv sqlite3.obj sqlite3.o"],
        ["make", "libsqlite3.a"],
        ["make", "install-lib", "install-headers"],
    ]


def _zstd(args):
    make = ["make", "-C", "lib", f"CC={args.cc_abs}", f"AR={args.ar_abs}", f"prefix={PREFIX}", "ZSTD_LEGACY_SUPPORT=0"]
    return [
        _env(make + [f"-j{args.jobs}", "libzstd.a"]),
        _install(["lib/libzstd.a"], ["lib/zstd.h", "lib/zstd_errors.h", "lib/zdict.h"]),
    ]


# As build_dep.py's RECIPES (licence files; commands; archives in link order), for Windows.
# libuuid is not built: CPython's _uuid on Windows calls rpcrt4 (deps_left_out of the row).
RECIPES = {
    "bzip2": (["LICENSE"], _bzip2, ["libbz2.a"]),
    "libffi": (["LICENSE"], _libffi, ["libffi.a"]),
    "openssl": (["LICENSE.txt"], _openssl, ["libssl.a", "libcrypto.a"]),
    "sqlite3": (["LICENSE.md"], _sqlite3, ["libsqlite3.a"]),
    "xz": (["COPYING.0BSD"], _xz, ["liblzma.a"]),
    "zlib": (["LICENSE"], _zlib, ["libz.a"]),
    "zstd": (["LICENSE"], _zstd, ["libzstd.a"]),
}


def main(argv=None):
    return dep_builder.main(argv, RECIPES, __doc__)


if __name__ == "__main__":
    sys.exit(main())
