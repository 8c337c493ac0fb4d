"""elf_debug_sections.py: a wheel's shared object loses its .debug_* bytes and nothing a loader reads."""

import struct

from pystatic.binary import shared_objects
from pystatic.binary.elf_debug_sections import ELF_HEADER, SECTION, SEGMENT, SHT_NOBITS, without_debug_sections

SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHF_ALLOC = 1, 2, 3, 2
NAMES = b"\0.text\0.debug_info\0.debug_str\0.dynstr\0.symtab\0.shstrtab\0"


def _name(name):
    return NAMES.index(b"\0" + name + b"\0") + 1


def shared_object():
    """A small ELF64 shared object laid out as auditwheel's patchelf leaves libgcc_s: a load segment,
    the debug sections, then a second load segment appended after them, then .symtab and .shstrtab."""
    data = bytearray(0x3200)
    data[0x100:0x200] = bytes(range(256))  # .text, in the first load segment
    data[0x200:0x2200] = b"D" * 0x2000  # .debug_info
    data[0x2200:0x2a00] = b"S" * 0x800  # .debug_str
    data[0x3000:0x3100] = b"dynstr\0" * 36 + b"\0" * 4  # .dynstr, in the appended load segment
    data[0x3100:0x3130] = b"Y" * 0x30  # .symtab
    data[0x3130 : 0x3130 + len(NAMES)] = NAMES
    sections = [
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        (_name(b".text"), SHT_PROGBITS, SHF_ALLOC | 4, 0x100, 0x100, 0x100, 0, 0, 16, 0),
        (_name(b".debug_info"), SHT_PROGBITS, 0, 0, 0x200, 0x2000, 0, 0, 1, 0),
        (_name(b".debug_str"), SHT_PROGBITS, 0x30, 0, 0x2200, 0x800, 0, 0, 1, 1),
        (_name(b".dynstr"), SHT_STRTAB, SHF_ALLOC, 0x5000, 0x3000, 0x100, 0, 0, 8, 0),
        (_name(b".symtab"), SHT_SYMTAB, 0, 0, 0x3100, 0x30, 6, 1, 8, 24),
        (_name(b".shstrtab"), SHT_STRTAB, 0, 0, 0x3130, len(NAMES), 0, 0, 1, 0),
    ]
    shoff = len(data)
    for section in sections:
        data += SECTION.pack(*section)
    segments = [(1, 5, 0, 0, 0, 0x200, 0x200, 0x1000), (1, 6, 0x3000, 0x5000, 0x5000, 0x100, 0x100, 0x1000)]
    for i, segment in enumerate(segments):
        data[64 + i * SEGMENT.size : 64 + (i + 1) * SEGMENT.size] = SEGMENT.pack(*segment)
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    data[: ELF_HEADER.size] = ELF_HEADER.pack(ident, 3, 62, 1, 0, 64, shoff, 0, 64, SEGMENT.size, 2, SECTION.size,
                                              len(sections), 6)
    return bytes(data)


def _read(data):
    header = ELF_HEADER.unpack_from(data, 0)
    segments = [SEGMENT.unpack_from(data, header[5] + i * SEGMENT.size) for i in range(header[10])]
    sections = [SECTION.unpack_from(data, header[6] + i * SECTION.size) for i in range(header[12])]
    return segments, sections


def test_debug_sections_go_and_what_a_loader_reads_stays_at_the_same_page_offsets():
    before = shared_object()
    after = without_debug_sections(before)
    assert len(after) <= len(before) - 0x2000
    old_segments, old_sections = _read(before)
    new_segments, new_sections = _read(after)
    for old, new in zip(old_segments, new_segments):
        assert new[0] == old[0] and new[3:] == old[3:]  # type, addresses, sizes, alignment unchanged
        assert new[2] % 0x1000 == old[2] % 0x1000  # mapped at the same offset within its page
        # The same bytes, but for the headers (e_shoff, the program headers' offsets: checked here).
        skip = max(0, 64 + 2 * SEGMENT.size - old[2])
        assert after[new[2] + skip : new[2] + new[5]] == before[old[2] + skip : old[2] + old[5]]
    for i, (old, new) in enumerate(zip(old_sections, new_sections)):
        if i in (2, 3):  # .debug_info, .debug_str: kept as empty headers, indices unchanged
            assert new[1] == SHT_NOBITS and new[5] == 0
            continue
        assert new[:4] == old[:4] and new[5:] == old[5:] and new[4] % max(new[8], 1) == 0
        assert after[new[4] : new[4] + new[5]] == before[old[4] : old[4] + old[5]]
    assert b"D" * 16 not in after and b"S" * 16 not in after
    stored = sorted((s[4], s[4] + s[5]) for s in new_sections if s[1] != SHT_NOBITS and s[5])
    assert all(end <= start for (_, end), (start, _) in zip(stored, stored[1:]))  # no two overlap


def test_anything_else_is_returned_as_it_is():
    stripped = without_debug_sections(shared_object())
    assert without_debug_sections(stripped) == stripped  # nothing left to drop
    assert without_debug_sections(b"MZ\x90\0 a PE file") == b"MZ\x90\0 a PE file"
    elf32 = b"\x7fELF\x01\x01\x01" + b"\0" * 100
    assert without_debug_sections(elf32) == elf32
    # A segment whose bytes run across the first debug section: the layout is left alone.
    data = bytearray(shared_object())
    data[64 : 64 + SEGMENT.size] = SEGMENT.pack(1, 5, 0, 0, 0, 0x300, 0x300, 0x1000)
    assert without_debug_sections(bytes(data)) == bytes(data)


def test_the_pack_step_embeds_shared_objects_without_debug_sections_unless_kept(tmp_path):
    (tmp_path / "libx.so").write_bytes(shared_object())
    loaded = [shared_objects.SharedObject("x@1", "x.libs/libx.so", str(tmp_path / "libx.so"))]
    assert shared_objects.entries_of(loaded)[0].primary == without_debug_sections(shared_object())
    assert shared_objects.entries_of(loaded, debug_info=True)[0].primary == shared_object()
    assert struct.unpack_from("<I", shared_objects.entries_of(loaded)[0].primary, 0)[0] == 0x464C457F
