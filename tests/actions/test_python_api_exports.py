"""python_api_exports.py: the .def file exporting libpython's C API from Windows executables."""

import struct

from pystatic.format.ar import archive_members
from pystatic.format.coff import external_symbols
from pystatic.runtime_toolchain import python_api_exports

FUNCTION, DATA = 0x20, 0
EXTERNAL, STATIC = 2, 3


def coff_object(symbols):
    """An x86_64 COFF object with one section and `symbols`: (name, section, type, storage class)."""
    strings, records = b"", b""
    for name, section, kind, storage in symbols:
        raw = name.encode()
        if len(raw) <= 8:
            field = raw.ljust(8, b"\0")
        else:
            field = b"\0\0\0\0" + struct.pack("<I", 4 + len(strings))
            strings += raw + b"\0"
        records += field + struct.pack("<IhHBB", 0, section, kind, storage, 0)
    symbols_at = 20 + 40
    header = struct.pack("<HHIIIHH", 0x8664, 1, 0, symbols_at, len(symbols), 0, 0)
    section = b".text\0\0\0" + struct.pack("<IIIIIIHHI", 0, 0, 0, 0, 0, 0, 0, 0, 0x60000020)
    return header + section + records + struct.pack("<I", 4 + len(strings)) + strings


def ar_archive(members):
    """A GNU ar archive with a `//` long-name table, as llvm-ar writes one for COFF objects."""
    names = b"".join(name.encode() + b"/\n" for name, _ in members)
    out = b"!<arch>\n" + b"//".ljust(48) + str(len(names)).encode().ljust(10) + b"`\n" + names + (b"\n" if len(names) % 2 else b"")
    offset = 0
    for name, data in members:
        out += f"/{offset}".encode().ljust(48) + str(len(data)).encode().ljust(10) + b"`\n" + data + (b"\n" if len(data) % 2 else b"")
        offset += len(name) + 2
    return out


def test_the_core_objects_c_api_is_exported_functions_plain_data_marked(tmp_path):
    archive = tmp_path / "libpython3.13.a"
    archive.write_bytes(ar_archive([
        ("Objects_abstract.o", coff_object([
            ("PyObject_GetBuffer", 1, FUNCTION, EXTERNAL), ("Py_Initialize", 1, FUNCTION, EXTERNAL),
            ("_Py_NoneStruct", 1, DATA, EXTERNAL), ("PyStaticHelper", 1, FUNCTION, STATIC),
            ("PyUndefined_Thing", 0, FUNCTION, EXTERNAL), ("not_python_api", 1, FUNCTION, EXTERNAL),
        ])),
        # frozen.o's tables and config.o's inittab are the glue's; a module's object the pruned inittab's.
        ("Python_frozen.o", coff_object([("PyImport_FrozenModules", 1, DATA, EXTERNAL)])),
        ("Modules__ssl.o", coff_object([("PyInit__ssl", 1, FUNCTION, EXTERNAL)])),
        ("Modules_main.o", coff_object([("Py_RunMain", 1, FUNCTION, EXTERNAL)])),
    ]))
    assert [name for name, _ in archive_members(archive)] == ["Objects_abstract.o", "Python_frozen.o", "Modules__ssl.o",
                                                              "Modules_main.o"]
    output = tmp_path / "python_api.def"
    assert python_api_exports.main(["--archive", str(archive), "--output", str(output)]) == 0
    lines = output.read_text().splitlines()
    assert lines[1:] == ["EXPORTS", "    PyObject_GetBuffer", "    Py_Initialize", "    Py_RunMain", "    _Py_NoneStruct DATA"]


def test_an_archive_without_the_c_api_fails_naming_it(tmp_path, capsys):
    archive = tmp_path / "libother.a"
    archive.write_bytes(ar_archive([("Objects_x.o", coff_object([("other", 1, FUNCTION, EXTERNAL)]))]))
    assert python_api_exports.main(["--archive", str(archive), "--output", str(tmp_path / "x.def")]) == 1
    assert f"{archive}: no CPython C API found" in capsys.readouterr().err


def test_short_names_sit_in_the_symbol_record():
    obj = coff_object([("Py_Exit", 1, FUNCTION, EXTERNAL), ("PyLong_FromLong", 1, FUNCTION, EXTERNAL)])
    assert external_symbols(obj, "x.o") == [("Py_Exit", True), ("PyLong_FromLong", True)]
