"""The distribution's own C libraries (libffi, zlib, OpenSSL, SQLite, ...) offered to a backend.

The static CPython distribution is built with them (build_dep.py prefixes: include/, lib/*.a,
lib/pkgconfig/) and every binary links them. A package built from its sdist gets their headers,
archives and pkg-config files like a native library's, merged into one prefix of symlinks, but the
captured link takes none of their objects: `-lffi` (or a path to one of their archives) is answered
by the copy the binary already links (compiler_wrapper, `provided`).
"""

import os
import pathlib
import re

from pystatic.packages.sdist.errors import BuildError


def parse(specs):
    """`name=prefix` of each library the distribution was built with -> [(name, absolute prefix)]."""
    libs = []
    for spec in specs:
        name, _, prefix = spec.partition("=")
        prefix = os.path.abspath(prefix)
        if not name or not os.path.isdir(os.path.join(prefix, "include")) or not os.path.isdir(os.path.join(prefix, "lib")):
            raise BuildError(f"distribution library {name}: {prefix} has no include/ and lib/ (not a build_dep.py prefix)")
        libs.append((name, prefix))
    return libs


def link_names(prefix):
    """The `-l` names of a prefix's archives: lib/libssl.a -> ssl."""
    return sorted(p.name[3:-2] for p in pathlib.Path(prefix, "lib").glob("lib*.a"))


def rewrite_pc(text, prefix):
    """A relocatable pkg-config file (build_dep.py: every path derives from `prefix=`) pointed at `prefix`."""
    return re.sub(r"^prefix=.*$", lambda _: f"prefix={prefix}", text, count=1, flags=re.M)


def stage(specs, root):
    """Merges the distribution's libraries into the prefix `root` (symlinks to their headers and
    archives; their .pc files copied, pointed at `root`). Returns None when there are none, else
    {"prefix", "include", "lib", "pkgconfig", "libraries": {name: [link names]}, "links": [link names],
    "dirs": the directories whose archives the binary already links (root's lib/ and each prefix's)}."""
    libs = parse(specs)
    if not libs:
        return None
    root = pathlib.Path(root)
    for sub in ("include", "lib/pkgconfig"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    owners, libraries = {}, {}
    for name, prefix in libs:
        for sub in ("include", "lib"):
            for entry in sorted(pathlib.Path(prefix, sub).iterdir()):
                if sub == "lib" and not entry.name.endswith(".a"):
                    continue
                dest = root / sub / entry.name
                if dest.exists() or dest.is_symlink():
                    raise BuildError(f"distribution libraries {owners[dest]} and {name} both have {sub}/{entry.name}")
                dest.symlink_to(entry)
                owners[dest] = name
        pkgconfig = pathlib.Path(prefix, "lib", "pkgconfig")
        for pc in sorted(pkgconfig.glob("*.pc")) if pkgconfig.is_dir() else []:
            (root / "lib" / "pkgconfig" / pc.name).write_text(rewrite_pc(pc.read_text(), root))
        libraries[name] = link_names(prefix)
    return {
        "prefix": str(root),
        "include": str(root / "include"),
        "lib": str(root / "lib"),
        "pkgconfig": str(root / "lib" / "pkgconfig"),
        "libraries": libraries,
        "links": sorted({n for names in libraries.values() for n in names}),
        "dirs": [str(root / "lib")] + [os.path.join(prefix, "lib") for _, prefix in libs],
    }


def is_provided(path, dirs):
    """Whether an archive a link names is one of the distribution's (in `dirs`, directly or through a symlink)."""
    real_dirs = {os.path.realpath(d) for d in dirs}
    return (os.path.realpath(os.path.dirname(os.path.abspath(path))) in real_dirs
            or os.path.dirname(os.path.realpath(path)) in real_dirs)
