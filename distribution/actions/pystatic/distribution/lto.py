"""Link-time optimisation of CPython's interpreter core: the flags and the one ld.lld -r link after make.

A library of build_cpython.py (docs/cpython.md, LTO).
"""

import os
import pathlib
import shutil
import struct
import subprocess

from pystatic.distribution.configure_make import BuildError, run

# Link-time optimisation of the interpreter core (Python/, Objects/, Parser/ and the rest that
# the Makefile compiles with PY_CORE_CFLAGS), on by default (python_builds.bzl, lto). Each core object
# is "fat": native code, as without LTO, plus its LLVM bitcode in a .llvm.lto section. make's own links
# (_freeze_module, _bootstrap_python, python, _testembed) use the native code, so they cost what they
# cost without LTO (measured: with bitcode-only objects each of them was a whole-program LTO link and
# the CPython action took 290 s instead of 72 s). After make, one `ld.lld -r --fat-lto-objects` link
# (native_core_archive) turns the core's bitcode into one native relocatable object with cross-file
# inlining, and python is linked again from it. A py_static_binary links plain native code, so its
# link stays as fast as before. The built-in extension modules (PY_BUILTIN_MODULE_CFLAGS) stay one
# native object each: a binary that leaves one out of its inittab leaves its object (and the
# libraries only it needs) out of the link.
LTO_CFLAGS = {
    "-flto=thin": "bitcode for the core's ld.lld -r link (ThinLTO: its back ends run --jobs at a time)",
    "-ffat-lto-objects": "native code beside it, for make's links: no LTO there",
}
# Core members kept apart from the merged object: a binary may replace them with its own.
LTO_SEPARATE = {
    "config.o": "the inittab: a binary's glue defines its own _PyImport_Inittab to prune built-ins",
    "frozen.o": "the frozen modules' tables: a binary's glue defines its own (the bootstrap only, read from"
    " this very member by actions/pystatic/binary/frozen_modules.py)",
}
LTO_OBJECT = "pystatic_core_lto.o"
# The ELF section type of the bitcode in a fat object (SHT_LLVM_LTO).
SHT_LLVM_LTO = 0x6FFF4C0C


def lto_members(members, has_bitcode):
    """(members merged into one LTO object, members kept as they are), both in archive order."""
    if len(set(members)) != len(members):
        raise BuildError("the archive has two members with the same name; cannot extract it for the LTO link")
    merged = [m for m in members if has_bitcode(m) and m not in LTO_SEPARATE]
    return merged, [m for m in members if m not in merged]


def elf_section_types(data):
    """The section header types of an ELF relocatable object (32/64-bit, either byte order)."""
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        raise BuildError("not an ELF object")
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    shoff, shentsize, shnum = (
        struct.unpack_from(order + "Q", data, 0x28)[0] if wide else struct.unpack_from(order + "I", data, 0x20)[0],
        *struct.unpack_from(order + "HH", data, 0x3A if wide else 0x2E),
    )
    return [struct.unpack_from(order + "I", data, shoff + i * shentsize + 4)[0] for i in range(shnum)]


def has_lto_section(path):
    """True for a fat LTO object (native code plus its bitcode)."""
    return SHT_LLVM_LTO in elf_section_types(pathlib.Path(path).read_bytes())


def zig_of(cc):
    """zig itself, next to the toolchain's cc wrapper (<zig sdk>/bin/cc-<target> -> <zig sdk>/ziglang/zig)."""
    zig = pathlib.Path(cc).resolve().parent.parent / "ziglang" / "zig"
    if not zig.is_file():
        raise BuildError(f"{cc}: no ziglang/zig beside this C compiler; the LTO link of the core needs zig's ld.lld")
    return zig


def native_core_archive(archive, work, cc, ar, jobs, log, env):
    """Replaces the fat core members of `archive` by one native object, their LTO link; fat members
    kept apart (LTO_SEPARATE) keep only their native code; the built-in modules stay as they are."""
    relocatable_link = [str(zig_of(cc)), "ld.lld", "-r"]
    tmp = work / "lto"
    tmp.mkdir()
    archive = pathlib.Path(archive).resolve()
    members = [line for line in _capture([ar, "t", str(archive)], tmp, env).splitlines() if line]
    run([ar, "x", str(archive)], tmp, env, log)
    fat = {member for member in members if has_lto_section(tmp / member)}
    merged, kept = lto_members(members, fat.__contains__)
    if not merged:
        raise BuildError(f"{archive.name}: no member has LLVM bitcode; was the core compiled with {' '.join(LTO_CFLAGS)}?")
    run(relocatable_link + ["--fat-lto-objects", f"--thinlto-jobs={jobs}", "-o", LTO_OBJECT] + merged, tmp, env, log)
    for member in kept:
        if member in fat:
            # Without --fat-lto-objects a relocatable link takes the native code and drops the
            # bitcode (.llvm.lto is an excluded section).
            run(relocatable_link + ["-o", member + ".native", member], tmp, env, log)
            os.replace(tmp / (member + ".native"), tmp / member)
    archive.unlink()
    run([ar, "rcs", str(archive), LTO_OBJECT] + kept, tmp, env, log)
    shutil.rmtree(tmp)
    return len(merged)


def _capture(cmd, cwd, env):
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"`{' '.join(cmd)}` failed: {result.stderr[-2000:]}")
    return result.stdout
