"""The payload of a compressed py_static_binary (compress_executable = True): the application's static
executable as one zstd frame per PT_LOAD segment, for runtime/exe_loader.c to map and decompress in
memory (docs/compressed-executable.md). Also writes the C file that embeds the payload (.incbin).

Checks, at build time, what the loader would otherwise find out at run time: a static, non-PIE
ELF64 executable (no interpreter, no dynamic section), its program headers inside a loaded segment,
its segments apart at their alignment, and every address below the loader's own (EXE_LOADER_BASE).
"""

import argparse
import hashlib
import json
import struct
import sys

from pystatic.binary.c_literals import c_string
from pystatic.format.blob import zstd_codec

# Where the loader is linked (rules/private/binary.bzl passes it to the linker): 1 GiB, far above a
# static executable's usual start (0x200000) and inside every Linux address space (39-bit aarch64 too).
EXE_LOADER_BASE = 0x40000000
MAGIC = b"PYSTEXE1"
# runtime/exe_loader.c's struct payload_header and struct payload_segment.
HEADER = struct.Struct("<8sQQIIII")
SEGMENT = struct.Struct("<QQQQQII")
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
ET_EXEC = 2
# zstd's level unless --level says (py_static_binary's compression_level, default 10). Measured on
# hello (7.8 MB, zstd's own benchmark, one core): level 9 gives 3.72 MB and decodes at 790 MB/s, 15
# 3.69 MB at 880 MB/s, 19 3.46 MB but at 420 MB/s: the highest levels cost start-up time.
ZSTD_LEVEL = 10


class PackError(Exception):
    pass


def load_segments(elf, what):
    """(entry, phdr address, phnum, phentsize, [(vaddr, file bytes, memsz, flags, align)])."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise PackError(f"{what}: not a little-endian ELF64 executable")
    e_type, = struct.unpack_from("<H", elf, 0x10)
    entry, phoff = struct.unpack_from("<QQ", elf, 0x18)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    if e_type != ET_EXEC:
        raise PackError(f"{what}: not a fixed-address executable (e_type {e_type}; a PIE cannot be compressed)")
    loads, phdr = [], None
    for i in range(phnum):
        p_type, flags, offset, vaddr, _paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type in (PT_INTERP, PT_DYNAMIC):
            raise PackError(f"{what}: dynamically linked (it has a {'PT_INTERP' if p_type == PT_INTERP else 'PT_DYNAMIC'})")
        if p_type != PT_LOAD:
            continue
        loads.append((vaddr, elf[offset : offset + filesz], memsz, flags, align))
        if offset <= phoff and phoff + phnum * phentsize <= offset + filesz:
            phdr = vaddr + phoff - offset
    if not loads:
        raise PackError(f"{what}: no PT_LOAD segment")
    if phdr is None:
        raise PackError(f"{what}: its program headers are in no loaded segment; the loader could not point AT_PHDR at them")
    return entry, phdr, phnum, phentsize, loads


def check_layout(loads, what):
    """Segments apart at their alignment (the loader maps each one's pages), all below the loader.

    The page is the smallest segment alignment: the linker's max-page-size, the largest page the
    target's kernels use (a section aligned more, as the resource blob with shared objects is at
    64 KiB, raises only its own segment's alignment)."""
    page = min(align for *_, align in loads)
    spans = sorted((vaddr // page * page, -(-(vaddr + memsz) // page) * page) for vaddr, _, memsz, _, _ in loads)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise PackError(f"{what}: two loaded segments share a {page}-byte page; the loader maps whole pages")
    if spans[-1][1] > EXE_LOADER_BASE:
        raise PackError(f"{what}: ends at {spans[-1][1]:#x}, above the loader's address {EXE_LOADER_BASE:#x}; "
                        "it is too large for compress_executable = True. Fix: set compress_executable = False")


def payload(elf, what, level=ZSTD_LEVEL):
    """The payload bytes and a report {segments, bytes, stored}."""
    entry, phdr, phnum, phentsize, loads = load_segments(elf, what)
    check_layout(loads, what)
    compress = zstd_codec()[0]
    frames = [compress(data, level) if data else b"" for _, data, _, _, _ in loads]
    offset = HEADER.size + SEGMENT.size * len(loads)
    head = [HEADER.pack(MAGIC, entry, phdr, phnum, phentsize, len(loads), 0)]
    for (vaddr, data, memsz, flags, _), frame in zip(loads, frames):
        head.append(SEGMENT.pack(vaddr, len(data), memsz, offset, len(frame), flags, 0))
        offset += len(frame)
    report = {"segments": len(loads), "bytes": sum(len(d) for _, d, *_ in loads), "stored": sum(map(len, frames))}
    return b"".join(head + frames), report


def embed_c(payload_path, payload_sha256):
    """The C file that puts the payload into the loader's read-only data."""
    # The payload's sha256 is part of the source: zig's compiler cache does not track .incbin
    # inputs (DEVELOPERS.md), so another payload must give another source.
    return "\n".join([
        f"/* Generated by pack_exe.py: the payload {payload_sha256}. */",
        "__asm__(",
        '    ".section .rodata.pystatic_exe_payload,\\"a\\"\\n"',
        '    ".balign 16\\n"',
        '    ".globl pystatic_exe_payload\\n"',
        '    "pystatic_exe_payload:\\n"',
        f'    ".incbin " {c_string(c_string(payload_path))} "\\n"',
        '    ".previous\\n");',
        "",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--executable", required=True, help="the application's static executable")
    parser.add_argument("--target", required=True, help="the Bazel target, for messages")
    parser.add_argument("--output", required=True, help="the payload")
    parser.add_argument("--embed_c", required=True, help="output: the C file embedding the payload")
    parser.add_argument("--report", required=True, help="output: JSON sizes")
    parser.add_argument("--level", type=int, default=ZSTD_LEVEL, help="zstd level")
    args = parser.parse_args(argv)
    with open(args.executable, "rb") as f:
        elf = f.read()
    try:
        data, report = payload(elf, f"{args.target} ({args.executable})", args.level)
    except PackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(data)
    with open(args.embed_c, "w") as f:
        f.write(embed_c(args.output, hashlib.sha256(data).hexdigest()))
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
