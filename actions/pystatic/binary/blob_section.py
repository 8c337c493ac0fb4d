"""The resource blob in the executable's read-only data: the inline assembly that includes the blob
file with `.incbin` between the symbols `pystatic_blob` and `pystatic_blob_end` (runtime/blob.c
reads it in place). One text per object format of the targets (TARGETS rows: ELF for linux, COFF
for windows), so that the glue of every binary and the Windows runtime's tests name it alike."""

from pystatic.binary.c_literals import c_string

OBJECT_FORMATS = ("elf", "coff")

# The largest section alignment COFF can express (IMAGE_SCN_ALIGN_8192BYTES).
COFF_MAX_ALIGNMENT = 8192


def blob_section(blob_path, alignment=16, object_format="elf"):
    """C source lines: a top-level __asm__ that embeds `blob_path` (as the compiler sees it).

    ELF: `.section .rodata.pystatic_blob,"a"` then `.previous` (no section type: '@progbits' would be
    a comment on aarch64). COFF has no `.previous`: `.pushsection .rdata$pystatic_blob,"dr"` (data,
    read-only; the linker merges `$`-suffixed sections into .rdata) and `.popsection`."""
    if object_format not in OBJECT_FORMATS:
        raise ValueError(f"unknown object format {object_format!r}; known: {', '.join(OBJECT_FORMATS)}")
    if object_format == "coff" and alignment > COFF_MAX_ALIGNMENT:
        raise ValueError(f"COFF sections align to at most {COFF_MAX_ALIGNMENT} bytes, not {alignment}")
    begin, end = {
        "elf": ('    ".section .rodata.pystatic_blob,\\"a\\"\\n"', '    ".previous\\n");'),
        "coff": ('    ".pushsection .rdata$pystatic_blob,\\"dr\\"\\n"', '    ".popsection\\n");'),
    }[object_format]
    return [
        "",
        "__asm__(",
        begin,
        f'    ".balign {alignment}\\n"',
        '    ".globl pystatic_blob\\n"',
        '    "pystatic_blob:\\n"',
        f'    ".incbin " {c_string(c_string(blob_path))} "\\n"',
        '    ".globl pystatic_blob_end\\n"',
        '    "pystatic_blob_end:\\n"',
        '    ".byte 0\\n"',
        end,
        "",
    ]
