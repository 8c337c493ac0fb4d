"""Builds one C library that a package built from its sdist links, as a static archive (one action).

The native libraries of sources.json's `native` group (docs/extensions.md): libyaml for PyYAML, ...
Same output as build_dep.py (a prefix directory with include/, lib/*.a, the licence text), made by
the same engine (pystatic.distribution.dep_builder) with this file's recipes. They live here, not in
build_dep.py, because build_dep.py is an input of every action of the CPython distribution: a new
native library must not rebuild it.
"""

import sys

from pystatic.distribution import dep_builder
from pystatic.distribution.configure_make import OPTIMISATION_FLAGS, SECTION_FLAGS
from pystatic.distribution.dep_builder import PREFIX, autoconf_build

# Windows targets (the row's gnu_triple, x86_64-w64-mingw32): unwind tables stay on, as for the
# distribution's Windows libraries (build_dep_windows.py: configure's test links need them).
WINDOWS_CFLAGS = " ".join({**OPTIMISATION_FLAGS, **SECTION_FLAGS})

# yaml.h declares its functions __declspec(dllimport) on Windows unless YAML_DECLARE_STATIC is
# defined; the installed header of this static-only build defines it, so every consumer (PyYAML's
# compile check and its _yaml) links the archive without a flag of its own.
_YAML_STATIC_HEADER = ('h="$DESTDIR{prefix}/include/yaml.h" && '
                       '{{ printf "#ifndef YAML_DECLARE_STATIC\\n#define YAML_DECLARE_STATIC 1 /* a static library */\\n#endif\\n"; '
                       'cat "$h"; }} > "$h.new" && mv "$h.new" "$h"').format(prefix=PREFIX)


def _libyaml(args):
    windows = args.target.endswith("-mingw32")
    configure = ["./configure", f"--prefix={PREFIX}", f"--host={args.target}", *autoconf_build(args),
                 "--disable-shared", "--enable-static"]
    if windows:
        configure = ["env", f"CFLAGS={WINDOWS_CFLAGS}", "CPPFLAGS=-DYAML_DECLARE_STATIC", *configure]
    else:
        configure.append("--with-pic")
    # Debian's .orig is the git tag's tree: no generated configure (`./bootstrap` is autoreconf).
    return [
        ["sh", "-c", "test -x configure || autoreconf -fi"],
        configure,
        ["make", f"-j{args.jobs}", "-C", "src", "libyaml.la"],
        ["make", "-C", "src", "install-libLTLIBRARIES"],
        ["make", "-C", "include", "install-nobase_includeHEADERS"],
        *([["sh", "-c", _YAML_STATIC_HEADER]] if windows else []),
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
