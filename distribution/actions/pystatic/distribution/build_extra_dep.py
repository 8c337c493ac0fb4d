"""Builds one C library of the extra built-in modules (sources.json `extra_builtins`) as a static archive.

ncurses (for _curses, _curses_panel, readline's terminal handling) and libedit (readline's line
editor, BSD-licensed; GNU readline is GPL-3.0). Same output as build_dep.py (a prefix directory with
include/, lib/*.a, the licence text), made by the same engine (pystatic.distribution.dep_builder)
with this file's recipes. They live here, not in build_dep.py, because build_dep.py is an input of
every action of the CPython distribution: these libraries must not rebuild CPython.

`--with NAME PREFIX` hands a library the prefix of another it builds on (libedit on ncurses).
"""

import pathlib
import shlex
import sys

from pystatic.common.action_args import expand_param_files
from pystatic.distribution import dep_builder
from pystatic.distribution.configure_make import logged_build
from pystatic.distribution.dep_builder import CFLAGS, PREFIX, autoconf_build

# Terminal descriptions compiled into ncurses (--with-fallbacks): curses works in an empty root
# (no terminfo database) on these terminals. A database entry, where one exists, comes first.
# `dumb`: what libedit (readline) sets up without TERM; missing, `import readline` printed
# 'No entry for terminal type "dumb"' in an empty root.
FALLBACK_TERMINALS = ["xterm-256color", "xterm", "screen", "screen-256color", "tmux", "tmux-256color", "linux", "vt100",
                      "dumb"]
# Where the terminfo database is looked for (after $TERMINFO, ~/.terminfo and $TERMINFO_DIRS):
# Debian/Ubuntu, Alpine, Fedora/Arch all keep it in one of these.
TERMINFO_DIRS = ["/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"]

# The ncurses configuration of both stages: the build machine's tic/infocmp must write entries in
# the layout the target's library reads (wide characters, extended colours: ABI 6).
_NCURSES_COMMON = [
    "--enable-widec", "--without-shared", "--with-normal", "--without-debug", "--without-profile",
    "--without-cxx", "--without-cxx-binding", "--without-ada", "--without-manpages", "--without-tests",
    "--without-gpm", "--without-dlsym", "--disable-db-install", "--disable-stripping", "--disable-rpath",
    "--with-xterm-kbs=DEL", "--with-terminfo-dirs=" + ":".join(TERMINFO_DIRS),
    "--with-default-terminfo-dir=/usr/share/terminfo",
    # $TERMINFO, $TERMINFO_DIRS and ~/.terminfo also for root (containers run as root), as Debian's
    # ncurses: configure would decide by the build machine's /etc/passwd ("conventional multiuser
    # system"; the sandbox's has no users: root then ignored the variables), so say it.
    "cf_cv_multiuser=yes", "--enable-root-environ", "--enable-setuid-environ",
]
_BUILD_TIC = "build-tic"


def _build_cc(args):
    """The build machine's C compiler: the target's when it is x86_64 (zig's musl programs run on the
    build machine), --build-cc (zig for the exec platform) when cross. Never the host's cc."""
    return args.build_cc_abs or args.cc_abs


def _sh(*argv):
    """A command run by sh in the source directory: `$PWD` in an argument is that directory."""
    return ["sh", "-c", " ".join(a if "$PWD" in a else shlex.quote(a) for a in argv)]


def _ncurses(args):
    build_cc = _build_cc(args)
    tic_dir = f'"$PWD/{_BUILD_TIC}/progs"'
    return [
        # 1. tic and infocmp for the build machine (out of tree): MKfallback.sh compiles terminfo.src
        #    with tic and prints each fallback entry as C with `infocmp -E`.
        ["mkdir", _BUILD_TIC],
        ["sh", "-c", f"cd {_BUILD_TIC} && " + " ".join(shlex.quote(a) for a in [
            "../configure", f"--prefix={PREFIX}", f"CC={build_cc}", "CFLAGS=-O1", *_NCURSES_COMMON, "--with-progs"])],
        ["make", f"-j{args.jobs}", "-C", f"{_BUILD_TIC}/include"],
        ["make", f"-j{args.jobs}", "-C", f"{_BUILD_TIC}/ncurses"],
        ["make", f"-j{args.jobs}", "-C", f"{_BUILD_TIC}/progs", "tic", "infocmp"],
        # 2. the target's libraries, with the fallback entries compiled in.
        _sh("./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args),
            f"--with-build-cc={build_cc}", *_NCURSES_COMMON, "--without-progs",
            "--with-fallbacks=" + ",".join(FALLBACK_TERMINALS),
            f"--with-tic-path={tic_dir}/tic", f"--with-infocmp-path={tic_dir}/infocmp"),
        ["make", f"-j{args.jobs}", "libs"],
        ["make", "install.libs", "install.includes"],
    ]


def _libedit(args):
    ncurses = args.with_prefix.get("ncurses")
    if not ncurses:
        raise dep_builder.BuildError("libedit needs ncurses (its termcap functions): --with ncurses PREFIX is missing")
    return [
        # libedit's configure links its checks with -lncurses; ours is the wide-character libncursesw.
        ["mkdir", "ncurses-lib"],
        ["ln", "-s", f"{ncurses}/lib/libncursesw.a", "ncurses-lib/libncurses.a"],
        # musl's wchar_t holds ISO 10646 code points, but only glibc's compilers predefine the macro
        # libedit checks (chartype.h).
        _sh("./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args),
            "--disable-shared", "--enable-static", "--with-pic", "--disable-examples",
            f"CFLAGS={CFLAGS} -D__STDC_ISO_10646__=201706L",
            f"CPPFLAGS=-I{ncurses}/include -I{ncurses}/include/ncursesw", 'LDFLAGS=-L"$PWD/ncurses-lib"'),
        # `all` first: src/Makefile generates common.h, fcns.h, ... (BUILT_SOURCES) only then.
        ["make", f"-j{args.jobs}", "-C", "src"],
        ["make", "-C", "src", "install-libLTLIBRARIES", "install-nobase_includeHEADERS"],
    ]


# The recipes' shape is dep_builder's (its docstring).
RECIPES = {
    # ncurses' COPYING: the X11 licence with "distribute with modifications" (SPDX
    # X11-distribute-modifications-variant). libpanelw before libncursesw (it calls into it).
    "ncurses": (["COPYING"], _ncurses, ["libpanelw.a", "libncursesw.a"]),
    "libedit": (["COPYING"], _libedit, ["libedit.a"]),
}


def split_with(argv):
    """(argv without the `--with NAME PREFIX` triples, {NAME: PREFIX})."""
    rest, prefixes = [], {}
    args = iter(argv)
    for arg in args:
        if arg == "--with":
            name, prefix = next(args, None), next(args, None)
            if prefix is None:
                raise SystemExit("error: --with takes NAME PREFIX")
            prefixes[name] = prefix
        else:
            rest.append(arg)
    return rest, prefixes


def main(argv=None):
    argv, prefixes = split_with(expand_param_files(sys.argv[1:] if argv is None else argv))
    args = dep_builder.parse_args(argv, __doc__)
    args.with_prefix = {name: str(pathlib.Path(p).resolve()) for name, p in prefixes.items()}
    code, _ = logged_build(args.log, args.name, lambda log: dep_builder.build(args, log, RECIPES))
    return code


if __name__ == "__main__":
    sys.exit(main())
