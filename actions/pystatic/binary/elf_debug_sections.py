"""Drops the DWARF debug sections of a wheel's ELF shared object before it is embedded.

Many musllinux wheels ship their extensions built with `-g` (PyYAML's `_yaml`: 1.56 MB of its 1.96 MB
is `.debug_*`; the libgcc_s that auditwheel copies: 0.40 of 0.54 MB). Nothing reads those sections at
run time: the loader (runtime/native_*.c) reads the program headers and the dynamic segment, the
unwinder `.eh_frame` (allocated), a native backtrace the symbol table, which stays. Only a debugger
attached to the process would have used them.

The rewrite keeps what a loader reads: the section headers keep their indices (`.dynsym` symbols
name sections by index), a dropped section becomes an empty SHT_NOBITS section, and everything from
the first dropped byte on moves down over the freed bytes in the file's order: non-allocated sections
(`.symtab`, `.strtab`, `.shstrtab`) each at its alignment, a load segment there (auditwheel's patchelf
appends one after the debug sections: libgcc_s) with its sections, the segments inside it and the
program headers if they are in it, at the same offset modulo its alignment; then the section
headers. A file that is not a 64-bit little-endian ELF, or where a segment runs across the first
dropped byte or lies beyond it outside any load segment, is returned as it is.
"""

import struct

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")  # e_ident .. e_shstrndx of an ELF64 header
SECTION = struct.Struct("<IIQQQQIIQQ")  # sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, ...
SEGMENT = struct.Struct("<IIQQQQQQ")  # p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, ...
SHF_ALLOC = 0x2
SHT_NOBITS = 8
PT_LOAD = 1
DEBUG_PREFIXES = (b".debug", b".zdebug")


def _is_elf64_le(data):
    return len(data) >= ELF_HEADER.size and data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1


def without_debug_sections(data):
    """`data` (an ELF shared object's bytes) without its `.debug_*` sections' bytes (module docstring)."""
    if not _is_elf64_le(data):
        return data
    header = list(ELF_HEADER.unpack_from(data, 0))
    phoff, shoff = header[5], header[6]
    phentsize, phnum, shentsize, shnum, shstrndx = header[9], header[10], header[11], header[12], header[13]
    if (shoff == 0 or shnum == 0 or shentsize != SECTION.size or shstrndx >= shnum or shoff + shnum * shentsize > len(data)
            or phentsize != SEGMENT.size or phoff + phnum * phentsize > len(data)):
        return data
    sections = [list(SECTION.unpack_from(data, shoff + i * shentsize)) for i in range(shnum)]
    segments = [list(SEGMENT.unpack_from(data, phoff + i * phentsize)) for i in range(phnum)]
    names = data[sections[shstrndx][4] : sections[shstrndx][4] + sections[shstrndx][5]]

    def name(section):
        end = names.find(b"\0", section[0])
        return names[section[0] : end if end >= 0 else len(names)]

    dropped = {i for i, s in enumerate(sections)
               if not s[2] & SHF_ALLOC and s[1] != SHT_NOBITS and s[5] and name(s).startswith(DEBUG_PREFIXES)}
    if not dropped:
        return data
    # Everything from the first dropped byte on is laid out again, in the file's order: the segments
    # there (auditwheel's patchelf appends one) each keep their offset modulo their alignment.
    cut = min(sections[i][4] for i in dropped)
    loads = [g for g in segments if g[0] == PT_LOAD and g[5] and g[2] >= cut]
    if any(g[2] < cut < g[2] + g[5] for g in segments) or any(
            g[2] >= cut and g[5] and not any(l[2] <= g[2] and g[2] + g[5] <= l[2] + l[5] for l in loads) for g in segments):
        return data  # a segment across the cut, or outside any load segment moved with it

    def load_of(offset, size):
        """The load segment holding those file bytes (an empty range: at most at its end), or None."""
        return next((n for n, l in enumerate(loads)
                     if l[2] <= offset and offset + size <= l[2] + l[5] and (size == 0 or offset < l[2] + l[5])), None)

    # What moves with each load segment (its sections, the segments inside it), found before any moves.
    section_load = {i: load_of(s[4], 0 if s[1] == SHT_NOBITS else s[5])
                    for i, s in enumerate(sections) if s[4] >= cut and i not in dropped}
    segment_load = {i: load_of(g[2], g[5]) for i, g in enumerate(segments) if g[2] >= cut and g[5]}
    phdr_load = load_of(phoff, phnum * phentsize) if phoff >= cut else None
    if phoff >= cut and phdr_load is None:
        return data
    blocks = [(l[2], "load", n) for n, l in enumerate(loads)] + [
        (sections[i][4], "section", i) for i, n in section_load.items() if n is None and sections[i][1] != SHT_NOBITS]
    out = bytearray(data[:cut])
    delta = {}
    for offset, kind, item in sorted(blocks):
        if kind == "load":
            size, align = loads[item][5], max(loads[item][7], 1)
            out.extend(b"\0" * ((offset - len(out)) % align))  # the same offset modulo the alignment
            delta[item] = len(out) - offset
        else:
            size, align = sections[item][5], max(sections[item][8], 1)
            out.extend(b"\0" * (-len(out) % align))
            sections[item][4] = len(out)
        out.extend(data[offset : offset + size])
    for i, n in section_load.items():
        if n is not None:
            sections[i][4] += delta[n]
    for i, n in segment_load.items():
        segments[i][2] += delta[n]
    if phdr_load is not None:
        phoff = header[5] = phoff + delta[phdr_load]
    for i in dropped:
        sections[i][1], sections[i][4], sections[i][5] = SHT_NOBITS, len(out), 0
    out.extend(b"\0" * (-len(out) % 8))
    header[6] = len(out)
    for section in sections:
        out.extend(SECTION.pack(*section))
    out[: ELF_HEADER.size] = ELF_HEADER.pack(*header)
    for i, g in enumerate(segments):
        out[phoff + i * phentsize : phoff + (i + 1) * phentsize] = SEGMENT.pack(*g)
    return bytes(out)
