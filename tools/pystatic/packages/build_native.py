"""Builds one C library that a package built from its sdist links, as a static archive (one action).

The native libraries of sources.json's `native` group (docs/extensions.md): libyaml for PyYAML, ...
Same output as build_dep.py (a prefix directory with include/, lib/*.a, the licence text), made by
the same code with this file's recipes. They live here, not in build_dep.py, because build_dep.py
is an input of every action of the CPython distribution: a new native library must not rebuild it.
"""

import sys

from pystatic.distribution import build_dep


def _libyaml(args):
    # Debian's .orig is the git tag's tree: no generated configure (`./bootstrap` is autoreconf).
    return [
        ["sh", "-c", "test -x configure || autoreconf -fi"],
        ["./configure", f"--prefix={build_dep.PREFIX}", f"--host={args.target}", *build_dep._build(args),
         "--disable-shared", "--enable-static", "--with-pic"],
        ["make", f"-j{args.jobs}", "-C", "src", "libyaml.la"],
        ["make", "-C", "src", "install-libLTLIBRARIES"],
        ["make", "-C", "include", "install-nobase_includeHEADERS"],
        ["make", "install-pkgconfigDATA"],
    ]


# name -> (licence files, commands, archives in link order): build_dep.RECIPES' shape.
RECIPES = {
    "libyaml": (["License"], _libyaml, ["libyaml.a"]),
}


def main(argv=None):
    saved = build_dep.RECIPES
    build_dep.RECIPES = RECIPES
    try:
        return build_dep.main(argv)
    finally:
        build_dep.RECIPES = saved


if __name__ == "__main__":
    sys.exit(main())
