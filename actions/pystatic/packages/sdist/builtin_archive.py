"""The static archive of a package's built-ins: renamed init functions, objects of archives."""

import os
import subprocess

EMPTY_ARCHIVE = b"!<arch>\n"


def init_function(module):
    return "PyInit_pystatic_" + module.replace(".", "__")


def trampoline_source(public, init):
    """C source of `public` (the inittab's name of a built-in) calling the renamed init function."""
    return f"void *{init}(void);\nvoid *{public}(void) {{ return {init}(); }}\n"


def extract_members(ar, archive, dest):
    """The objects of a static library, extracted to dest (names made unique, order kept)."""
    dest.mkdir(parents=True)
    names = subprocess.run([os.path.abspath(ar), "t", archive], capture_output=True, text=True, check=True).stdout.split()
    paths = []
    for number, name in enumerate(names):
        # `ar xN` would pick among duplicates; one member at a time by position via a fresh dir.
        out = dest / f"{number:03d}"
        out.mkdir()
        # zig's own archives (libc++.a) name members by absolute path; `ar x` takes and writes the basename.
        name = os.path.basename(name)
        subprocess.run([os.path.abspath(ar), "x", os.path.abspath(archive), name], cwd=out, check=True)
        target = dest / f"{number:03d}_{name}"
        (out / name).rename(target)
        paths.append(str(target))
    return paths
