"""The native libraries (build_native.py prefixes) offered to a backend."""

import os

from pystatic.packages.sdist.errors import BuildError


def native_libraries(specs):
    """`name=prefix` of each native library (a build_native.py prefix) -> its include, lib and pkgconfig dirs."""
    libs = []
    for spec in specs:
        name, _, prefix = spec.partition("=")
        prefix = os.path.abspath(prefix)
        if not os.path.isdir(os.path.join(prefix, "include")):
            raise BuildError(f"native library {name}: {prefix} has no include/ (not a build_native.py prefix)")
        libs.append({"name": name, "prefix": prefix, "include": os.path.join(prefix, "include"),
                     "lib": os.path.join(prefix, "lib"), "pkgconfig": os.path.join(prefix, "lib", "pkgconfig"),
                     "licence": os.path.join(prefix, f"LICENSE.{name}")})
    return libs
