"""Builds one C library that a package built from its sdist links, as a static archive (one action).

The native libraries of sources.json's `native` group (docs/extensions.md): libyaml for PyYAML, ...
Same output as build_dep.py (a prefix directory with include/, lib/*.a, the licence text), made by
the same engine (pystatic.distribution.dep_builder) with this file's recipes. They live here, not in
build_dep.py, because build_dep.py is an input of every action of the CPython distribution: a new
native library must not rebuild it.
"""

import sys

from pystatic.distribution import dep_builder
from pystatic.distribution.dep_builder import PREFIX, autoconf_build


def _libyaml(args):
    # Debian's .orig is the git tag's tree: no generated configure (`./bootstrap` is autoreconf).
    return [
        ["sh", "-c", "test -x configure || autoreconf -fi"],
        ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args),
         "--disable-shared", "--enable-static", "--with-pic"],
        ["make", f"-j{args.jobs}", "-C", "src", "libyaml.la"],
        ["make", "-C", "src", "install-libLTLIBRARIES"],
        ["make", "-C", "include", "install-nobase_includeHEADERS"],
        ["make", "install-pkgconfigDATA"],
    ]


# The recipes' shape is dep_builder's (its docstring).
RECIPES = {
    "libyaml": (["License"], _libyaml, ["libyaml.a"]),
}


def main(argv=None):
    return dep_builder.main(argv, RECIPES, __doc__)


if __name__ == "__main__":
    sys.exit(main())
