"""The native libraries (build_native.py prefixes) offered to a backend."""

import os
import pathlib

from pystatic.packages.sdist.distribution_libraries import rewrite_pc
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


def pkgconfig_dirs(natives, dest):
    """The native libraries' .pc files, copied to `dest` and pointed at their prefixes (build_native.py
    installs them relocatable: every path derives from `prefix=`). Returns [dest], or [] if there are none."""
    pcs = [(lib, pc) for lib in natives if os.path.isdir(lib["pkgconfig"])
           for pc in sorted(pathlib.Path(lib["pkgconfig"]).glob("*.pc"))]
    if not pcs:
        return []
    dest = pathlib.Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for lib, pc in pcs:
        (dest / pc.name).write_text(rewrite_pc(pc.read_text(), lib["prefix"]))
    return [str(dest)]
