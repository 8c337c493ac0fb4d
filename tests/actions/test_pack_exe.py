import json
import pathlib
import re
import struct

import pytest

from pystatic.binary import pack_exe
from pystatic.format.blob import zstd_codec

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = 0x1000


def _elf(segments, e_type=pack_exe.ET_EXEC, entry=0x201000, extra=(), phdrs_loaded=True):
    """An ELF64 executable: the ELF header, the program headers, then each segment's bytes.

    segments: [(vaddr, data, memsz, flags)]; the first covers the file from offset 0 (the headers)."""
    phnum = len(segments) + len(extra)
    head_size = 64 + 56 * phnum
    body, offsets, at = b"", [], head_size
    for _, data, _, _ in segments:
        offsets.append(at)
        body += data
        at += len(data)
    phdrs = b""
    for i, ((vaddr, data, memsz, flags), offset) in enumerate(zip(segments, offsets)):
        if i == 0 and phdrs_loaded:
            # The first segment starts at the file's start, so it holds the headers.
            phdrs += struct.pack("<IIQQQQQQ", pack_exe.PT_LOAD, flags, 0, vaddr - head_size, 0,
                                 len(data) + head_size, memsz + head_size, PAGE)
        else:
            phdrs += struct.pack("<IIQQQQQQ", pack_exe.PT_LOAD, flags, offset, vaddr, 0, len(data), memsz, PAGE)
    for p_type in extra:
        phdrs += struct.pack("<IIQQQQQQ", p_type, 4, 0, 0, 0, 0, 0, 1)
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", e_type, 62, 1, entry, 64, 0, 0, 64, 56, phnum, 64, 0, 0)
    return header + phdrs + body


def _read(payload):
    magic, entry, phdr, phnum, phentsize, count, _ = pack_exe.HEADER.unpack_from(payload)
    assert magic == pack_exe.MAGIC
    segments = [pack_exe.SEGMENT.unpack_from(payload, pack_exe.HEADER.size + i * pack_exe.SEGMENT.size)
                for i in range(count)]
    return entry, phdr, phnum, phentsize, segments


def test_payload_holds_each_segment_compressed_at_its_address():
    code, data = bytes(range(256)) * 64, b"data" * 1000
    elf = _elf([(0x201000, code, len(code), 5), (0x300000, data, len(data) + 0x5000, 6)])
    payload, report = pack_exe.payload(elf, "//app:hello", level=3)
    entry, phdr, phnum, phentsize, segments = _read(payload)
    assert (entry, phnum, phentsize) == (0x201000, 2, 56)
    head_size = 64 + 56 * 2
    # The program headers are mapped with the first segment, which starts at the file's start.
    assert phdr == 0x201000 - head_size + 64
    decompress = zstd_codec()[1]
    (vaddr0, filesz0, _, off0, stored0, flags0, _), (vaddr1, filesz1, memsz1, off1, stored1, flags1, _) = segments
    assert decompress(payload[off0 : off0 + stored0]) == elf[: head_size + len(code)]
    assert (vaddr0, filesz0, flags0) == (0x201000 - head_size, head_size + len(code), 5)
    assert decompress(payload[off1 : off1 + stored1]) == data
    assert (vaddr1, filesz1, memsz1, flags1) == (0x300000, len(data), len(data) + 0x5000, 6)
    assert report == {"segments": 2, "bytes": head_size + len(code) + len(data), "stored": stored0 + stored1}
    assert report["stored"] < report["bytes"] / 10


@pytest.mark.parametrize("change, message", [
    (dict(e_type=3), "a PIE cannot be compressed"),
    (dict(extra=[pack_exe.PT_INTERP]), "dynamically linked .it has a PT_INTERP"),
    (dict(extra=[pack_exe.PT_DYNAMIC]), "dynamically linked .it has a PT_DYNAMIC"),
    (dict(phdrs_loaded=False), "program headers are in no loaded segment"),
])
def test_what_the_loader_cannot_run_fails_the_build(change, message):
    elf = _elf([(0x201000, b"x" * 100, 100, 5), (0x300000, b"y", 1, 6)], **change)
    with pytest.raises(pack_exe.PackError, match=message):
        pack_exe.payload(elf, "//app:hello", level=1)


def test_segments_sharing_a_page_or_reaching_the_loader_fail_naming_the_target():
    sharing = _elf([(0x201000, b"x" * 100, 100, 5), (0x201800, b"y", 1, 6)])
    with pytest.raises(pack_exe.PackError, match=r"//app:hello: two loaded segments share a 4096-byte page"):
        pack_exe.payload(sharing, "//app:hello", level=1)
    too_high = _elf([(0x201000, b"x", 1, 5), (pack_exe.EXE_LOADER_BASE - 0x10, b"y", 0x100, 6)])
    with pytest.raises(pack_exe.PackError, match=r"above the loader's address .* Fix: set compress_executable = False"):
        pack_exe.payload(too_high, "//app:hello", level=1)
    with pytest.raises(pack_exe.PackError, match="not a little-endian ELF64"):
        pack_exe.payload(b"#!/bin/sh\n", "//app:hello")


def test_main_writes_payload_embedding_c_and_report(tmp_path):
    exe = tmp_path / "hello"
    exe.write_bytes(_elf([(0x201000, b"x" * 5000, 5000, 5), (0x300000, b"y" * 10, 10, 6)]))
    out, embed, report = tmp_path / "p", tmp_path / "p.c", tmp_path / "p.json"
    assert pack_exe.main(["--executable", str(exe), "--target", "//app:hello", "--output", str(out),
                          "--embed_c", str(embed), "--report", str(report)]) == 0
    text = embed.read_text()
    assert '".incbin " "\\"' + str(out) + '\\"" "\\n"' in text
    # zig's compiler cache ignores .incbin inputs: the payload's digest is part of the source.
    import hashlib
    assert hashlib.sha256(out.read_bytes()).hexdigest() in text
    assert json.loads(report.read_text())["segments"] == 2


def test_main_reports_an_unpackable_executable(tmp_path, capsys):
    exe = tmp_path / "hello"
    exe.write_bytes(_elf([(0x201000, b"x", 1, 5)], e_type=3))
    assert pack_exe.main(["--executable", str(exe), "--target", "//app:hello", "--output", str(tmp_path / "p"),
                          "--embed_c", str(tmp_path / "p.c"), "--report", str(tmp_path / "r")]) == 1
    assert "error: //app:hello" in capsys.readouterr().err


def test_the_loader_and_the_rule_agree_with_the_packer():
    """runtime/exe_loader.c's structs, rules/private/compression.bzl's address: the same as pack_exe's."""
    loader = (ROOT / "runtime/exe_loader.c").read_text()
    sizes = {"uint64_t": "Q", "uint32_t": "I"}
    for struct_name, packed in (("payload_header", pack_exe.HEADER), ("payload_segment", pack_exe.SEGMENT)):
        body = re.search(r"struct %s \{(.*?)\};" % struct_name, loader, re.S).group(1)
        fields = "".join("8s" if "char magic[8]" in line else sizes[line.split()[0]]
                         for line in body.splitlines() if line.strip() and not line.strip().startswith("/*"))
        assert "<" + fields == packed.format, struct_name
    assert f'#define PAYLOAD_MAGIC "{pack_exe.MAGIC.decode()}"' in loader
    bzl = (ROOT / "rules/private/compression.bzl").read_text()
    assert re.search(r"^EXE_LOADER_BASE = (0x[0-9a-fA-F]+)$", bzl, re.M).group(1) == hex(pack_exe.EXE_LOADER_BASE)
