import pytest

from pystatic.binary.blob_section import blob_section


def test_elf_and_coff_embed_the_blob_between_the_same_symbols_in_read_only_data():
    elf, coff = "\n".join(blob_section("a.blob", 16)), "\n".join(blob_section("a.blob", 16, "coff"))
    for text in (elf, coff):
        assert '".incbin " "\\"a.blob\\"" "\\n"' in text and "pystatic_blob:" in text and "pystatic_blob_end:" in text
    assert '.section .rodata.pystatic_blob,\\"a\\"' in elf and '".previous\\n");' in elf
    # COFF has no .previous; "dr": data, read-only (.rdata).
    assert '.pushsection .rdata$pystatic_blob,\\"dr\\"' in coff and '".popsection\\n");' in coff
    assert ".previous" not in coff


def test_unknown_formats_and_alignments_coff_cannot_hold_are_refused():
    with pytest.raises(ValueError, match="unknown object format 'macho'; known: elf, coff"):
        blob_section("a.blob", 16, "macho")
    with pytest.raises(ValueError, match="at most 8192 bytes, not 65536"):
        blob_section("a.blob", 65536, "coff")
    assert ".balign 65536" in "\n".join(blob_section("a.blob", 65536))
