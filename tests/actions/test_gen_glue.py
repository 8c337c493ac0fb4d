import hashlib
import json

import pytest

from pystatic.binary import gen_glue
from pystatic.binary.c_literals import c_string
from pystatic.binary.settings import BinarySettings, ResolvedEntryPoint



def run(tmp, blob, entry_point=("m", ""), report=None, extra=(), **settings):
    """gen_glue.main with a settings file and a pack report; the frozen modules off unless asked for."""
    (tmp / "settings.json").write_text(json.dumps({"frozen_bootstrap_only": False} | settings))
    if report is None:
        report = {"entry_point": entry_point and {"module": entry_point[0], "function": entry_point[1]}}
        (tmp / "r.json").write_text(json.dumps(report))
    out = tmp / "glue.c"
    args = ["--settings", str(tmp / "settings.json"), "--blob", str(blob), "--report", str(tmp / "r.json"), "--output", str(out), *extra]
    return gen_glue.main(args)


def test_glue_names_settings_blob_hash_and_incbin(tmp_path):
    blob = tmp_path / "app.blob"
    blob.write_bytes(b"PYSTBLOB-data")
    out = tmp_path / "glue.c"
    assert run(tmp_path, blob, ("pkg.mod", "main"), allocator="malloc", optimize=2, extensions=[["_yaml", "PyInit__yaml"]]) == 0
    source = out.read_text()
    assert '.entry_module = "pkg.mod",' in source and '.entry_function = "main",' in source
    assert ".allocator = PYMEM_ALLOCATOR_MALLOC," in source and ".optimize = 2," in source
    assert hashlib.sha256(b"PYSTBLOB-data").hexdigest() in source
    assert 'extern PyObject *PyInit__yaml(void);' in source and '{"_yaml", PyInit__yaml},' in source
    assert f'".incbin " "\\"{blob}\\"" "\\n"' in source
    assert "ZSTD_decompress" not in source
    assert ".interpreter = 0," in source


def test_interpreter_glue(tmp_path):
    (tmp_path / "b").write_bytes(b"")
    out = tmp_path / "glue.c"
    assert run(tmp_path, tmp_path / "b", None, interpreter=True) == 0
    assert ".interpreter = 1," in out.read_text() and '.entry_module = "",' in out.read_text()


def test_zstd_glue_calls_libzstd(tmp_path):
    blob = tmp_path / "b"
    blob.write_bytes(b"")
    out = tmp_path / "glue.c"
    assert run(tmp_path, blob, zstd_linked=True) == 0
    assert "ZSTD_decompressDCtx(dctx, dst, capacity, src, size)" in out.read_text()
    assert "ZSTD_decompress_usingDDict(dctx, dst, capacity, src, size, ddict)" in out.read_text()


def test_entry_point_from_the_pack_report(tmp_path):
    (tmp_path / "b").write_bytes(b"")
    out = tmp_path / "glue.c"
    assert run(tmp_path, tmp_path / "b", ("tool.cli", "")) == 0
    assert '.entry_module = "tool.cli",' in out.read_text() and '.entry_function = "",' in out.read_text()


def test_c_strings_escape_quotes_backslashes_and_controls():
    assert c_string('a"b\\c\n\x01') == '"a\\"b\\\\c\\n\\x01"'


@pytest.mark.parametrize("name, init", [("bad name", "PyInit_x"), ("x", "PyInit x; evil()")])
def test_bad_extension_names_are_rejected(name, init):
    with pytest.raises(ValueError, match="bad extension module"):
        gen_glue.glue_source(BinarySettings(), "b", "0" * 64, ResolvedEntryPoint("m"), [(name, init)])


def test_file_view_and_extract_packages_settings(tmp_path):
    (tmp_path / "b").write_bytes(b"")
    out = tmp_path / "glue.c"
    assert run(tmp_path, tmp_path / "b") == 0
    assert ".file_view = 1," in out.read_text() and '.extract_packages = "",' in out.read_text()
    assert run(tmp_path, tmp_path / "b", file_view=False, extract_packages=["a.b", "c"]) == 0
    assert ".file_view = 0," in out.read_text() and '.extract_packages = "a.b,c",' in out.read_text()
    with pytest.raises(ValueError, match="bad package name 'a,b' in extract_packages"):
        gen_glue.glue_source(BinarySettings(extract_packages=("a,b",)), "b", "0" * 64, ResolvedEntryPoint("m"))


CONFIG_C = """#include "Python.h"
extern PyObject* PyInit_zlib(void);
extern PyObject* PyInit__ssl(void);
extern PyObject* PyMarshal_Init(void);
struct _inittab _PyImport_Inittab[] = {
    {"zlib", PyInit_zlib},
    {"_ssl", PyInit__ssl},
    {"marshal", PyMarshal_Init},
    {"builtins", NULL},
    {0, 0}
};
"""


def test_left_out_builtins_get_a_pruned_inittab_in_the_glue(tmp_path):
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "config.c").write_text(CONFIG_C)
    (tmp_path / "dist.json").write_text('{"version": 2, "inittab": "config.c"}')
    (tmp_path / "b").write_bytes(b"")
    entry = '"entry_point": {"module": "m", "function": ""}'
    (tmp_path / "r.json").write_text('{%s, "builtins_left_out": ["_ssl"], "stdlib_left_out": ["pickle", "ssl"]}' % entry)
    out = tmp_path / "glue.c"
    distribution = ["--descriptor", str(tmp_path / "dist.json"), "--distribution", str(tmp_path / "dist")]
    assert run(tmp_path, tmp_path / "b", report=True, extra=distribution) == 0
    source = out.read_text()
    assert '.left_out_builtins = "_ssl",' in source and "_PyImport_Inittab[] = {" in source
    assert '.left_out_modules = "pickle,ssl",' in source
    assert '{"zlib", PyInit_zlib},' in source and '{"marshal", PyMarshal_Init},' in source and "{0, 0}" in source
    assert "PyInit__ssl" not in source
    (tmp_path / "r.json").write_text('{%s, "builtins_left_out": ["_nosuch"]}' % entry)
    with pytest.raises(ValueError, match="not in the distribution's inittab: _nosuch"):
        run(tmp_path, tmp_path / "b", report=True, extra=distribution)
    (tmp_path / "r.json").write_text('{%s}' % entry)
    assert run(tmp_path, tmp_path / "b", report=True, extra=distribution) == 0 and "_PyImport_Inittab" not in out.read_text()


def test_extensions_listed_by_an_sdist_build_join_the_inittab(tmp_path):
    (tmp_path / "b").write_bytes(b"")
    listed = tmp_path / "builtins.json"
    listed.write_text('[["psutil._psutil_linux", "PyInit_pystatic_psutil___psutil_linux"]]')
    out = tmp_path / "glue.c"
    assert run(tmp_path, tmp_path / "b", extensions=[["a._b", "PyInit_pystatic_a___b"]], extra=["--extensions_file", str(listed)]) == 0
    source = out.read_text()
    assert '{"a._b", PyInit_pystatic_a___b},' in source
    assert 'extern PyObject *PyInit_pystatic_psutil___psutil_linux(void);' in source
    assert '{"psutil._psutil_linux", PyInit_pystatic_psutil___psutil_linux},' in source


def test_frozen_bootstrap_only_needs_the_distribution(tmp_path):
    (tmp_path / "b").write_bytes(b"")
    with pytest.raises(SystemExit):
        run(tmp_path, tmp_path / "b", frozen_bootstrap_only=True)


def test_extra_builtins_join_the_inittab_unless_left_out(tmp_path):
    """_curses, _curses_panel, readline (the distribution's extra built-ins) are not in config.c: the
    glue's own inittab adds those the binary keeps, and pruning config.c ignores them."""
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "config.c").write_text(CONFIG_C)
    (tmp_path / "dist.json").write_text('{"version": 2, "inittab": "config.c"}')
    (tmp_path / "extra.json").write_text(json.dumps({"version": 1, "archives": [], "licenses": [], "modules": {
        "_curses": {"init": "PyInit__curses"}, "readline": {"init": "PyInit_readline"}}}))
    (tmp_path / "b").write_bytes(b"")
    entry = '"entry_point": {"module": "m", "function": ""}'
    out = tmp_path / "glue.c"
    extra = ["--descriptor", str(tmp_path / "dist.json"), "--distribution", str(tmp_path / "dist"),
             "--extra_builtins", str(tmp_path / "extra.json")]
    (tmp_path / "r.json").write_text('{%s, "builtins_left_out": ["_ssl", "readline"]}' % entry)
    assert run(tmp_path, tmp_path / "b", report=True, extra=extra) == 0
    source = out.read_text()
    assert '{"_curses", PyInit__curses},' in source and "PyInit_readline" not in source
    assert "_PyImport_Inittab[] = {" in source and "PyInit__ssl" not in source
    assert '.left_out_builtins = "_ssl,readline",' in source
    # Only extra built-ins left out: config.c's inittab is linked as it is.
    (tmp_path / "r.json").write_text('{%s, "builtins_left_out": ["_curses", "readline"]}' % entry)
    assert run(tmp_path, tmp_path / "b", report=True, extra=extra) == 0
    source = out.read_text()
    assert "_PyImport_Inittab" not in source and "PyInit__curses" not in source and "PyInit_readline" not in source
    # stdlib = "all" (nothing left out): every extra built-in.
    (tmp_path / "r.json").write_text('{%s}' % entry)
    assert run(tmp_path, tmp_path / "b", report=True, extra=extra) == 0
    assert '{"readline", PyInit_readline},' in out.read_text()



def test_windows_glue_puts_the_blob_in_rdata(tmp_path):
    blob = tmp_path / "app.blob"
    blob.write_bytes(b"PYSTBLOB-data")
    assert run(tmp_path, blob, extra=["--object_format", "coff"]) == 0
    assert ".rdata$pystatic_blob" in (tmp_path / "glue.c").read_text()
    assert run(tmp_path, blob) == 0
    assert ".rdata$" not in (tmp_path / "glue.c").read_text()
