import shutil
import subprocess

import pytest

from pystatic.binary import frozen_modules
from pystatic.binary.frozen_modules import FrozenError

pytestmark = pytest.mark.skipif(not (shutil.which("cc") and shutil.which("ar")), reason="needs cc, ar")

# A stand-in for CPython's Python/frozen.c: marshalled code starts with 'c' (0x63), or 0xe3 with FLAG_REF.
FROZEN_C = """
const unsigned char _Py_M__os[] = {99, 1, 1, 1, 1, 1, 1, 1};
const unsigned char _Py_M__importlib__bootstrap[] = {99, 1, 2, 3};
const unsigned char _Py_M__importlib__bootstrap_external[] = {227, 4, 5, 6, 7};
const unsigned char _Py_M__zipimport[] = {99, 8};
"""


def archive(tmp_path, source=FROZEN_C, flags=(), member="frozen.o"):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "frozen.c").write_text(source)
    subprocess.run(["cc", "-c", *flags, "-o", member, "frozen.c"], cwd=tmp_path, check=True)
    # A member with a long name first: GNU ar keeps it in the "//" table, which the reader follows.
    (tmp_path / "a_member_with_a_long_name.c").write_text("int a_member_with_a_long_name;\n")
    subprocess.run(["cc", "-c", "a_member_with_a_long_name.c"], cwd=tmp_path, check=True)
    subprocess.run(["ar", "rcs", "libpython.a", "a_member_with_a_long_name.o", member], cwd=tmp_path, check=True)
    return tmp_path / "libpython.a"


@pytest.mark.parametrize("flags", [(), ("-fdata-sections",)])
def test_bootstrap_code_is_copied_from_frozen_o(tmp_path, flags):
    # One .rodata for all arrays, or a section per array: the symbol's offset in its section counts.
    code = frozen_modules.bootstrap_code(archive(tmp_path, flags=flags))
    assert code == [
        ("_frozen_importlib", bytes([99, 1, 2, 3]), "importlib._bootstrap"),
        ("_frozen_importlib_external", bytes([227, 4, 5, 6, 7]), "importlib._bootstrap_external"),
        ("zipimport", bytes([99, 8]), None),
    ]


def test_glue_defines_every_table_of_frozen_o_with_the_bootstrap_only(tmp_path):
    source = frozen_modules.glue_source(archive(tmp_path))
    for table in frozen_modules.TABLES:
        assert f" *{table} = " in source, table
    assert "static const unsigned char pystatic_frozen_0[4] = { /* _frozen_importlib */\n    99,1,2,3,\n};" in source
    assert '{"_frozen_importlib_external", pystatic_frozen_1, 5, 0},' in source
    assert '{"_frozen_importlib", "importlib._bootstrap"},' in source
    assert "99,1,1,1,1,1,1,1" not in source, "os is not frozen"


def test_a_build_without_frozen_o_or_its_symbols_fails_naming_the_archive(tmp_path):
    with pytest.raises(FrozenError, match=r"libpython.a has no frozen.o"):
        frozen_modules.bootstrap_code(archive(tmp_path, member="other.o"))
    no_zipimport = FROZEN_C.replace("_Py_M__zipimport", "_Py_M__other")
    with pytest.raises(FrozenError, match=r"libpython.a\(frozen.o\): no marshalled code object _Py_M__zipimport"):
        frozen_modules.bootstrap_code(archive(tmp_path / "b", no_zipimport))
    not_code = FROZEN_C.replace("{99, 8}", "{1, 8}")
    with pytest.raises(FrozenError, match=r"_Py_M__zipimport \(module zipimport\)"):
        frozen_modules.bootstrap_code(archive(tmp_path / "c", not_code))


def test_not_an_archive(tmp_path):
    (tmp_path / "x.a").write_bytes(b"not an archive")
    with pytest.raises(FrozenError, match="not an ar archive"):
        frozen_modules.bootstrap_code(tmp_path / "x.a")


def coff_archive(tmp_path, flags=()):
    """The Windows distribution's form: zig cc's x86_64-windows-gnu (COFF) object named
    Python_frozen.o (build_cpython_windows.py names objects by their source's path) in llvm-ar's
    COFF archive, whose long names end with NUL."""
    import zig_builds

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "frozen.c").write_text(FROZEN_C)
    (tmp_path / "a_member_with_a_long_name.c").write_text("int a_member_with_a_long_name;\n")
    zig_builds.cc(["-target", "x86_64-windows-gnu", "-O2", "-g0", *flags, "-c", "frozen.c", "-o", "Python_frozen.o"], tmp_path)
    zig_builds.cc(["-target", "x86_64-windows-gnu", "-c", "a_member_with_a_long_name.c", "-o", "a_member_with_a_long_name.o"], tmp_path)
    subprocess.run([zig_builds.zig(), "ar", "rcs", "libpython3.13.a", "a_member_with_a_long_name.o", "Python_frozen.o"],
                   cwd=tmp_path, check=True)
    return tmp_path / "libpython3.13.a"


@pytest.mark.parametrize("flags", [(), ("-fdata-sections",)])
def test_bootstrap_code_is_copied_from_a_coff_frozen_o_of_the_windows_distribution(tmp_path, flags):
    archive_path = coff_archive(tmp_path, flags)
    assert frozen_modules.archive_member(archive_path, "a_member_with_a_long_name.o")[:2] == b"\x64\x86"
    code = frozen_modules.bootstrap_code(archive_path)
    # Without -fdata-sections the arrays share .rdata: each runs to the next symbol (alignment
    # padding included; marshal reads one object and ignores what follows).
    assert [(module, data[:len(expected)], alias) for (module, data, alias), expected in
            zip(code, [bytes([99, 1, 2, 3]), bytes([227, 4, 5, 6, 7]), bytes([99, 8])])] == [
        ("_frozen_importlib", bytes([99, 1, 2, 3]), "importlib._bootstrap"),
        ("_frozen_importlib_external", bytes([227, 4, 5, 6, 7]), "importlib._bootstrap_external"),
        ("zipimport", bytes([99, 8]), None),
    ]
    if flags:
        assert [data for _, data, _ in code] == [bytes([99, 1, 2, 3]), bytes([227, 4, 5, 6, 7]), bytes([99, 8])]
