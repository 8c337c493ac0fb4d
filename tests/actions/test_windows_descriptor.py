import json

import pytest

from pystatic.common import descriptor
from pystatic.distribution import windows_descriptor

CONFIG_C = """
extern PyObject* PyInit_nt(void);
#if defined(MS_WINDOWS_DESKTOP) || defined(MS_WINDOWS_SYSTEM) || defined(MS_WINDOWS_GAMES)
extern PyObject* PyInit_winreg(void);
#endif
struct _inittab _PyImport_Inittab[] = {
    {"nt", PyInit_nt}, /* Use the NT os functions, not posix */
#if defined(MS_WINDOWS_DESKTOP) || defined(MS_WINDOWS_SYSTEM) || defined(MS_WINDOWS_GAMES)
    {"winreg", PyInit_winreg},
#endif
    {"pyexpat", PyInit_pyexpat},
    {"marshal", PyMarshal_Init},
    {"sys", NULL},
    {0, 0}
};
"""


def test_the_inittab_of_pc_config_c_includes_entries_under_its_windows_conditions():
    assert windows_descriptor.inittab(CONFIG_C) == [("nt", "PyInit_nt"), ("winreg", "PyInit_winreg"), ("pyexpat", "PyInit_pyexpat")]
    with pytest.raises(ValueError, match="format changed"):
        windows_descriptor.inittab("struct _inittab _PyImport_Inittab[] = { {0, 0} };")


def test_config_c_is_resolved_as_the_preprocessor_compiled_it():
    """winreg sits under MS_WINDOWS_DESKTOP, which pyconfig.h defines for the core only: a glue that
    copied the conditions would lose it (start-up imports it) unless resolved here."""
    preprocessed = 'struct _inittab _PyImport_Inittab[] = {\n {"nt", PyInit_nt},\n {"pyexpat", PyInit_pyexpat},\n'
    compiled = windows_descriptor.compiled_entries(preprocessed + ' {"marshal", PyMarshal_Init},\n {"sys", ((void*)0)},\n {0, 0}\n};')
    assert compiled == {"nt": "PyInit_nt", "pyexpat": "PyInit_pyexpat", "marshal": "PyMarshal_Init", "sys": "((void*)0)"}
    resolved = windows_descriptor.resolved_config_c(CONFIG_C, compiled)
    assert "#if" not in resolved and "#endif" not in resolved and "winreg" not in resolved
    assert '{"nt", PyInit_nt}' in resolved and "extern PyObject* PyInit_nt(void);" in resolved
    assert '{"marshal", PyMarshal_Init},' in resolved and '{"sys", NULL},' in resolved
    assert windows_descriptor.inittab(resolved) == [("nt", "PyInit_nt"), ("pyexpat", "PyInit_pyexpat")]
    # Compiled in: the entry and its declaration stay, without the condition.
    with_winreg = windows_descriptor.resolved_config_c(CONFIG_C, dict(compiled, winreg="PyInit_winreg"))
    assert '{"winreg", PyInit_winreg},' in with_winreg and "extern PyObject* PyInit_winreg(void);" in with_winreg


def test_the_descriptor_has_the_windows_layout_licences_and_system_libraries(tmp_path):
    root, out, zlib = tmp_path / "src", tmp_path / "dist", tmp_path / "zlib"
    (root / "Modules" / "expat").mkdir(parents=True)
    (root / "Doc").mkdir()
    (root / "LICENSE").write_text("PSF")
    (root / "Modules" / "expat" / "COPYING").write_text("expat's")
    (root / "Doc" / "license.rst").write_text("all of them")
    zlib.mkdir()
    (zlib / "LICENSE.zlib").write_text("zlib's")
    origin = tmp_path / "zlib.json"
    origin.write_text(json.dumps({"version": "1.3.2", "license": "Zlib", "sha256": "ab" * 32, "origin": "pinned"}))
    out.mkdir()
    builtins = dict(windows_descriptor.inittab(CONFIG_C))
    entries = windows_descriptor.licenses("3.13.15", root, out, [("zlib", zlib, origin)], builtins)
    # _decimal and _sha2 are not built in here: their bundled libraries are not listed.
    assert [e["component"] for e in entries] == ["cpython", "expat", "zlib"]
    assert (out / "LICENSE.expat").read_text() == "expat's" and (out / "LICENSE.zlib").read_text() == "zlib's"
    path = tmp_path / "d.json"
    windows_descriptor.write(path, version="3.13.15", target_triple="x86_64-windows-gnu", archives=["libs/libpython3.13.a"],
                             system_libraries=["ws2_32"], config_c_text=CONFIG_C, license_entries=entries)
    loaded = descriptor.load(path)
    assert (loaded.stdlib, loaded.interpreter, loaded.inittab) == ("Lib", "python.exe", "config.c")
    assert loaded.system_libraries == ["ws2_32"] and loaded.archives == ["libs/libpython3.13.a"]
    assert loaded.builtin_modules == {"nt", "winreg", "pyexpat"}
    assert "_tkinter" in loaded.extensions_left_out and "test" in loaded.stdlib_excluded


def test_a_c_library_without_its_licence_text_fails_naming_it(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "LICENSE").write_text("PSF")
    origin = tmp_path / "o.json"
    origin.write_text(json.dumps({"version": "1", "license": "MIT", "sha256": "0", "origin": "x"}))
    with pytest.raises(ValueError, match="libffi has no LICENSE.libffi"):
        windows_descriptor.licenses("3.13.15", tmp_path / "src", tmp_path, [("libffi", tmp_path / "none", origin)], {})
