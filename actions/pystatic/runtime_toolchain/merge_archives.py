"""Merges the static archives of a CPython distribution into one archive, with the target's `ar`.

The distribution is one directory output; its archives cannot be named one by one at analysis
time. The extra built-ins (_curses, _curses_panel, readline and their libraries, compiled in
their own action: pystatic.common.extra_builtins) are merged after the distribution's archives.
One merged archive is a plain file that py_static_binary links like any cc_library output
(lld resolves symbols across an archive's members in any order). `ar -M` (an MRI script) keeps
every member, even two objects of the same name from different archives.
"""

import argparse
import os
import subprocess
import sys

from pystatic.common import descriptor as distribution_descriptor
from pystatic.common import extra_builtins

# Parts of musl's libc.a: nothing to add to a static link.
LIBC_PARTS = {"c", "m", "pthread", "dl", "rt", "util"}


class MergeError(Exception):
    pass


def archives_to_merge(descriptor, distribution_path, linked_system_libraries=()):
    """descriptor: a pystatic.common.descriptor.Descriptor. `linked_system_libraries`: the ones every
    link of the target names (its row's system_libraries: Windows' import libraries)."""
    others = sorted(set(descriptor.system_libraries) - LIBC_PARTS - set(linked_system_libraries))
    if others and linked_system_libraries:
        raise MergeError(f"the distribution needs system libraries its target's links do not name: {', '.join(others)}. "
                         "Fix: add them to the row's system_libraries in @pystatic_distribution//toolchains:targets.bzl")
    if others:
        raise MergeError(f"the distribution needs system libraries a static musl link lacks: {', '.join(others)}")
    return [os.path.join(distribution_path, archive) for archive in descriptor.archives]


def mri_script(output, archives):
    for path in [output] + archives:
        if any(c in path for c in "\n;*+,") or path != path.strip():
            raise MergeError(f"path unusable in an ar MRI script: {path!r}")
    return "".join([f"CREATE {output}\n"] + [f"ADDLIB {a}\n" for a in archives] + ["SAVE\n", "END\n"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ar", required=True, help="the target toolchain's archiver (llvm-ar compatible)")
    parser.add_argument("--descriptor", required=True)
    parser.add_argument("--distribution", required=True, help="the distribution directory")
    parser.add_argument("--extra_builtins", help="the extra built-ins' JSON (cpython_extra_builtins): their archives too")
    parser.add_argument("--extra_builtins_dir", help="the directory of the extra built-ins' archives")
    parser.add_argument("--output", required=True)
    parser.add_argument("--linked_system_library", action="append", default=[],
                        help="a system library every link of the target names (the row's system_libraries)")
    args = parser.parse_args(argv)
    try:
        descriptor = extra_builtins.combined(args.descriptor, args.extra_builtins, args.extra_builtins_dir)
        script = mri_script(args.output, archives_to_merge(descriptor, args.distribution, args.linked_system_library))
    except (MergeError, distribution_descriptor.DescriptorError, extra_builtins.ExtraBuiltinsError) as err:
        print(f"error: {args.descriptor}: {err}", file=sys.stderr)
        return 1
    result = subprocess.run([args.ar, "-M"], input=script, text=True, capture_output=True)
    if result.returncode != 0:
        print(f"error: {args.ar} -M failed ({result.returncode}):\n{result.stdout}{result.stderr}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
