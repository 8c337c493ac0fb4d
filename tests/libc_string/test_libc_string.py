"""runtime/libc_string.c (docs/libc.md): its string/memory routines against byte-by-byte
references (check.c: alignments, page ends, '\\0' and high-bit bytes), on x86_64 natively and on
aarch64 under qemu-aarch64-static, linked with zig's libc as every binary is; and the proof that
the executable takes them instead of zig's own (weak) ones: zig's names for its implementations
(`c.string.strchr`, `compiler_rt.memcmp`, ...) are absent from the linked symbol table."""

import os
import struct

import pytest
import zig_static

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "runtime", "libc_string.c")
ZIG = os.environ.get("PYSTATIC_ZIG")
# zig 0.17's own implementations: lib/c/string.zig (c.string.*) and lib/compiler_rt.zig.
ZIG_NAMES = ["c.string.strchr", "c.string.strchrnul", "c.string.strrchr", "c.string.memchr", "c.string.memrchr",
             "c.string.strnlen", "c.string.strcmp", "c.string.strncmp", "compiler_rt.memcmp", "compiler_rt.bcmp",
             "compiler_rt.strlen", "c.string.strcoll"]

pytestmark = pytest.mark.skipif(not ZIG, reason="set PYSTATIC_ZIG to a zig 0.17 binary to build the checks")


def symbols(path):
    """Names in an ELF64 little-endian file's .symtab."""
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = set()
    for _, sh_type, _, _, offset, size, link, _, _, entsize in sections:
        if sh_type != 2:  # SHT_SYMTAB
            continue
        strings = sections[link][4]
        for i in range(1, size // entsize):
            name_offset, = struct.unpack_from("<I", data, offset + i * entsize)
            names.add(data[strings + name_offset:data.index(b"\0", strings + name_offset)].decode())
    return names


def build(tmp_path, arch, ours):
    sources = [os.path.join(HERE, "check.c")] + ([SOURCE] if ours else [])
    return zig_static.build(ZIG, tmp_path, arch, "check-%s-%s" % (arch, "ours" if ours else "zig"), sources, ["-fno-builtin"])


def run(arch, path):
    return zig_static.run(arch, [path])


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_routines_match_references_and_replace_zigs(tmp_path, arch):
    path = build(tmp_path, arch, ours=True)
    result = run(arch, path)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr
    names = symbols(path)
    assert "strchr" in names and "memcmp" in names
    assert not names & set(ZIG_NAMES), sorted(names & set(ZIG_NAMES))


def test_without_them_zigs_are_linked(tmp_path):
    """The names the test above looks for are the ones zig's libc really has (else it proves nothing)."""
    path = build(tmp_path, "x86_64", ours=False)
    assert run("x86_64", path).returncode == 0
    names = symbols(path)
    assert {"c.string.strchr", "c.string.memchr", "compiler_rt.memcmp", "c.string.strcmp"} <= names, sorted(
        n for n in names if n.startswith(("c.string.", "compiler_rt.")))
