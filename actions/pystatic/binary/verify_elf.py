"""Checks that an ELF executable is fully static: no program interpreter, no shared libraries.

Used as a validation step on musl outputs and by the toolchain tests. Reads the file with
pyelftools; a binary that needs a dynamic loader or a libc.so would not run in an empty root.
"""

import argparse
import sys

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile


def static_problems(path, elf_machine=None):
    """Returns a list of reasons why `path` is not a fully static ELF executable (empty if it is).

    elf_machine: the e_machine expected, as pyelftools names it ("EM_X86_64"; the `elf_machine` of
    the target's row in distribution/toolchains/targets.bzl), or None not to check it."""
    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            problems = []
            if elf_machine is not None and elf["e_machine"] != elf_machine:
                problems.append(f"machine is {elf['e_machine']}, expected {elf_machine}")
            for segment in elf.iter_segments():
                if segment["p_type"] == "PT_INTERP":
                    problems.append(f"has a program interpreter (PT_INTERP {segment.get_interp_name()})")
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    needed = [t.needed for t in section.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
                    if needed:
                        problems.append(f"needs shared libraries (DT_NEEDED {', '.join(needed)})")
            return problems
    except (ELFError, OSError) as err:
        return [f"is not a readable ELF file: {err}"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary")
    parser.add_argument("--elf_machine", help="the e_machine expected, e.g. EM_X86_64 (the target's row of targets.bzl)")
    parser.add_argument("--stamp", help="file to write on success (for a Bazel validation action)")
    args = parser.parse_args(argv)
    problems = static_problems(args.binary, args.elf_machine)
    if problems:
        print(f"error: {args.binary} is not a fully static executable: it " + "; it ".join(problems), file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, "w", encoding="utf-8") as stamp:
            stamp.write("static\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
