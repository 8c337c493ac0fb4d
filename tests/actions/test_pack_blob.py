import json

import pytest

from pystatic.binary import pack_blob
from pystatic.format.blob import DATA, METADATA, MODULE, Entry, read_blob, write_blob

MAGIC = b"\xf3\r\r\n"

# A small "stdlib": json imports json.decoder; encodings is always shipped.
STDLIB = {
    "_pystatic_bootstrap": [],
    "_pystatic_resources": [],
    "encodings": ["codecs"],
    "encodings.utf_8": [],
    "codecs": [],
    "traceback": ["linecache"],
    "linecache": [],
    "json": ["json.decoder"],
    "json.decoder": ["re"],
    "re": [],
    "email": [],
    "email.message": ["email"],
    "sqlite3": [],
}
PACKAGES = {"json", "email", "encodings"}


@pytest.fixture
def packs(tmp_path):
    stdlib = [
        Entry(MODULE, name, primary=b"c:" + name.encode(), source=b"s", is_package=name in PACKAGES) for name in STDLIB
    ] + [Entry(DATA, "email/architecture.rst", primary=b"doc")]
    (tmp_path / "stdlib.blob").write_bytes(write_blob(stdlib, MAGIC))
    (tmp_path / "stdlib.json").write_text(json.dumps({"modules": {n: {"imports": i, "defines": [], "path": f"lib/{n}.py"} for n, i in STDLIB.items()}}))
    return tmp_path


def write_app(tmp, modules, magic=MAGIC):
    """modules: {name: (imports, defines)}"""
    (tmp / "app.blob").write_bytes(write_blob([Entry(MODULE, n, primary=b"a", source=b"src") for n in modules], magic))
    (tmp / "app.json").write_text(
        json.dumps({"modules": {n: {"imports": i, "defines": d, "path": f"app/{n}.py"} for n, (i, d) in modules.items()}})
    )


# pack_blob's settings in these tests unless one says: the whole stdlib, no sources (BinarySettings'
# own defaults are the rule's).
TEST_SETTINGS = {"target": "//app:bin", "stdlib_mode": "all", "include_sources": False, "stdlib_sources": False}


def run(tmp, entry=None, main=None, console_script=None, descriptor=None, extra=(), **settings):
    """pack_blob.main with a settings file; entry: "module" or "module:function"."""
    module, _, function = (entry or "").partition(":")
    entry_point = {"module": module, "function": function, "main": main or "", "console_script": console_script or ""}
    (tmp / "settings.json").write_text(json.dumps(TEST_SETTINGS | {"entry_point": entry_point} | settings))
    args = ["--settings", str(tmp / "settings.json"), "--stdlib", str(tmp / "stdlib.blob"), "--stdlib_imports", str(tmp / "stdlib.json"),
            "--app", str(tmp / "app.blob"), "--app_imports", str(tmp / "app.json"), "--output", str(tmp / "out.blob"),
            "--report", str(tmp / "report.json")]
    if descriptor:
        args += ["--descriptor", str(descriptor)]
    return pack_blob.main(args + list(extra))


def modules_in(tmp):
    return sorted(read_blob(tmp / "out.blob").names(MODULE))


def test_imported_mode_follows_imports_transitively(packs, capsys):
    write_app(packs, {"app": (["json"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported") == 0
    assert modules_in(packs) == [
        "_pystatic_bootstrap", "_pystatic_resources", "app", "codecs", "encodings", "encodings.utf_8", "json", "json.decoder",
        "linecache", "re", "traceback",
    ]
    report = json.loads((packs / "report.json").read_text())
    assert report["entry_point"] == {"module": "app", "function": ""} and report["stdlib_modules"] == 10


def test_include_exclude_and_data_of_included_packages(packs):
    write_app(packs, {"app": ([], [])})
    assert run(packs, entry="app", stdlib_mode="imported", stdlib_include=["email"], stdlib_exclude=["traceback"]) == 0
    names = modules_in(packs)
    assert "email.message" in names and "email" in names
    assert "traceback" not in names
    assert read_blob(packs / "out.blob").names(DATA) == ["email/architecture.rst"]


def test_all_mode_ships_everything_but_excludes(packs):
    write_app(packs, {"app": ([], [])})
    assert run(packs, entry="app", stdlib_exclude=["email"]) == 0
    assert "sqlite3" in modules_in(packs) and "email.message" not in modules_in(packs)
    assert read_blob(packs / "out.blob").names(DATA) == []


def test_sources_are_dropped_unless_asked_for(packs):
    write_app(packs, {"app": ([], [])})
    assert run(packs, entry="app") == 0
    reader = read_blob(packs / "out.blob")
    assert reader.get(MODULE, "app").source is None and reader.get(MODULE, "json").source is None
    assert run(packs, entry="app", include_sources=True, stdlib_sources=True) == 0
    reader = read_blob(packs / "out.blob")
    assert reader.get(MODULE, "app").source == b"src" and reader.get(MODULE, "json").source == b"s"


def test_zstd_level_compresses(packs):
    write_app(packs, {"app": ([], [])})
    assert run(packs, entry="app", zstd_level=3) == 0
    assert json.loads((packs / "report.json").read_text())["zstd_level"] == 3


def test_main_path_names_the_entry_module(packs):
    write_app(packs, {"tool.cli": ([], [])})
    assert run(packs, main="app/tool.cli.py") == 0
    assert json.loads((packs / "report.json").read_text())["entry_point"] == {"module": "tool.cli", "function": ""}


@pytest.mark.parametrize(
    "modules, entry, message",
    [
        ({"app": ([], ["run"])}, {"entry": "app:main"},
         "//app:bin: entry point 'app:main': app/app.py defines no top-level 'main'.*it defines: run"),
        ({"app": ([], [])}, {"entry": "nope"}, "//app:bin: the entry point's module 'nope' is not among"),
        ({"app": ([], [])}, {"main": "elsewhere.py"}, "main elsewhere.py is not among the binary's modules"),
        ({"json": ([], [])}, {"entry": "json"},
         "app/json.py is module 'json', which is also a standard library module.*stdlib_exclude = \\[\"json\"\\]"),
        ({"app": ([], [])}, {"entry": "app", "stdlib_include": ["nosuchmod"]}, "stdlib_include names no standard library module: nosuchmod"),
    ],
)
def test_bad_input_fails_at_build_time_naming_target_and_fix(packs, capsys, modules, entry, message):
    write_app(packs, modules)
    assert run(packs, **entry) == 1
    assert __import__("re").search(message, capsys.readouterr().err, __import__("re").S)


def test_excluding_the_stdlib_module_allows_an_app_module_of_that_name(packs):
    write_app(packs, {"json": ([], [])})
    assert run(packs, entry="json", stdlib_exclude=["json"]) == 0
    assert read_blob(packs / "out.blob").get(MODULE, "json").primary == b"a"


def test_packs_from_different_python_versions_are_rejected(packs, capsys):
    write_app(packs, {"app": ([], [])}, magic=b"\x00\x00\r\n")
    assert run(packs, entry="app") == 1
    assert "compiled by different Python versions" in capsys.readouterr().err


def write_app_with_entry_points(tmp, entry_points):
    """An app with module `tool.cli` and one *.dist-info/entry_points.txt per (dist, text)."""
    entries = [Entry(MODULE, "tool.cli", primary=b"a", source=b"src")]
    entries += [Entry(METADATA, f"{dist}.dist-info/entry_points.txt", primary=text.encode()) for dist, text in entry_points]
    (tmp / "app.blob").write_bytes(write_blob(entries, MAGIC))
    (tmp / "app.json").write_text(json.dumps({"modules": {"tool.cli": {"imports": [], "defines": ["main"], "path": "t/cli.py"}}}))


def test_console_script_resolves_to_its_entry_point(packs):
    write_app_with_entry_points(
        packs, [("tool-1.0", "[console_scripts]\ntool = tool.cli:main [extra]\n\n[gui_scripts]\ngui = tool.cli:gui\n")]
    )
    assert run(packs, console_script="tool") == 0
    assert json.loads((packs / "report.json").read_text())["entry_point"] == {"module": "tool.cli", "function": "main"}


@pytest.mark.parametrize(
    "entry_points, message",
    [
        ([("tool-1.0", "[console_scripts]\nother = tool.cli:main\n")],
         "no console script 'tool'.*use one they declare \\(other \\(tool-1.0.dist-info\\)\\)"),
        ([("a-1", "[console_scripts]\ntool = tool.cli:main\n"), ("b-2", "[console_scripts]\ntool = tool.cli:main\n")],
         "console script 'tool' is declared by a-1.dist-info and b-2.dist-info"),
        ([("tool-1.0", "[console_scripts]\ntool = tool.cli:nothere\n")], "defines no top-level 'nothere'"),
    ],
)
def test_console_script_errors(packs, capsys, entry_points, message):
    write_app_with_entry_points(packs, entry_points)
    assert run(packs, console_script="tool") == 1
    assert __import__("re").search(message, capsys.readouterr().err, __import__("re").S)


def write_app_sources(tmp, sources, packages=()):
    """sources: {module: source text}; the app's modules, with sources, for the file access scan."""
    entries = [Entry(MODULE, n, primary=b"a", source=s.encode(), is_package=n in packages) for n, s in sources.items()]
    (tmp / "app.blob").write_bytes(write_blob(entries, MAGIC))
    (tmp / "app.json").write_text(json.dumps({"modules": {n: {"imports": [], "defines": ["main"], "path": f"app/{n}.py"} for n in sources}}))


def test_file_access_notes_go_to_the_build_log_and_the_report(packs, capsys):
    write_app_sources(packs, {
        "app": "def main(): pass\n",
        "grammar": "import os\nopen(os.path.join(os.path.dirname(__file__), 'Grammar.txt'))\n",
        "native": "import ctypes\nctypes.CDLL(__file__ + '.so')\n",
    }, packages={"grammar", "native"})
    assert run(packs, entry="app") == 0
    log = capsys.readouterr().err
    assert "note: //app:bin: grammar: reads files next to its modules (grammar/__init__.py:2 open): served by the read-only file view" in log
    assert 'note: //app:bin: native: passes a path next to its modules to C code (native/__init__.py:2 ctypes.CDLL)' in log
    assert 'Fix: extract_packages = ["native"]' in log
    report = json.loads((packs / "report.json").read_text())
    assert [n.split(":")[0] for n in report["file_access"]] == ["grammar", "native"]
    assert run(packs, entry="app", extract_packages=["native"]) == 0
    assert "native: uses paths next to its modules (native/__init__.py:2 ctypes.CDLL); extracted at run time" in capsys.readouterr().err


def test_extract_packages_must_name_an_embedded_package(packs, capsys):
    write_app_sources(packs, {"app": "def main(): pass\n", "tool": "", "tool.data": ""}, packages={"tool", "tool.data"})
    assert run(packs, entry="app", extract_packages=["tool.data", "json"]) == 0
    assert run(packs, entry="app", extract_packages=["tool.dta"]) == 1
    err = capsys.readouterr().err
    assert "//app:bin: extract_packages names 'tool.dta', which is no package of this binary" in err
    assert "Fix: name an embedded package (tool, tool.data)" in err


def test_builtins_nothing_imports_are_left_out_in_imported_mode(packs, tmp_path):
    descriptor = tmp_path / "distribution.json"
    descriptor.write_text(json.dumps({"version": 2, "extensions": {
        name: {"builtin": True, "init": f"PyInit_{name}"} for name in ("_io", "posix", "_json", "_ssl", "_socket", "_sqlite3", "zlib")
    } | {"_curses": {"builtin": False}}}))
    STDLIB_WITH_C = {"json.decoder": ["re", "_json"]}
    (packs / "stdlib.json").write_text(json.dumps({"modules": {
        n: {"imports": STDLIB_WITH_C.get(n, i), "defines": [], "path": f"lib/{n}.py"} for n, i in STDLIB.items()}}))
    write_app(packs, {"app": (["json", "_ssl"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported", descriptor=descriptor) == 0
    # json's _json and the app's _ssl (with the _socket it imports from C) stay; core modules always.
    assert json.loads((packs / "report.json").read_text())["builtins_left_out"] == ["_sqlite3", "zlib"]
    assert run(packs, entry="app", descriptor=descriptor) == 0  # stdlib = "all": all stay
    assert json.loads((packs / "report.json").read_text())["builtins_left_out"] == []


def test_extra_builtins_are_built_ins_kept_only_when_imported(packs, tmp_path):
    """_curses, _curses_panel, readline (the distribution's extra built-ins JSON): left out unless
    imported; _curses_panel keeps the _curses it imports from C (its capsule)."""
    descriptor = tmp_path / "distribution.json"
    descriptor.write_text(json.dumps({"version": 2, "extensions": {"_io": {"builtin": True, "init": "PyInit__io"}},
                                      "extensions_left_out": {"_curses": {"state": "n/a", "reason": "x"}}}))
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({"version": 1, "archives": [], "licenses": [], "modules": {
        name: {"init": f"PyInit_{name}"} for name in ("_curses", "_curses_panel", "readline")}}))
    write_app(packs, {"app": (["json"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported", descriptor=descriptor, extra=["--extra_builtins", str(extra)]) == 0
    assert json.loads((packs / "report.json").read_text())["builtins_left_out"] == ["_curses", "_curses_panel", "readline"]
    write_app(packs, {"app": (["_curses_panel"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported", descriptor=descriptor, extra=["--extra_builtins", str(extra)]) == 0
    assert json.loads((packs / "report.json").read_text())["builtins_left_out"] == ["readline"]


def test_sysconfig_brings_its_dynamically_named_data_module(tmp_path):
    stdlib = dict(STDLIB, sysconfig=["os"], os=[], **{"_sysconfigdata__linux_x86_64-linux-musl": ["sys"]})
    entries = [Entry(MODULE, name, primary=b"c") for name in stdlib]
    (tmp_path / "stdlib.blob").write_bytes(write_blob(entries, MAGIC))
    (tmp_path / "stdlib.json").write_text(json.dumps({"modules": {n: {"imports": i, "defines": [], "path": f"lib/{n}.py"} for n, i in stdlib.items()}}))
    write_app(tmp_path, {"app": (["sysconfig"], ["main"])})
    assert run(tmp_path, entry="app", stdlib_mode="imported") == 0
    assert "_sysconfigdata__linux_x86_64-linux-musl" in modules_in(tmp_path)
    write_app(tmp_path, {"app": (["json"], ["main"])})
    assert run(tmp_path, entry="app", stdlib_mode="imported") == 0
    assert "_sysconfigdata__linux_x86_64-linux-musl" not in modules_in(tmp_path)


def test_interpreter_needs_no_entry_point_and_keeps_every_app_module(packs):
    write_app(packs, {"lib": (["json"], []), "other": ([], [])})
    assert run(packs, interpreter=True, stdlib_mode="imported") == 0
    assert {"lib", "other", "json", "json.decoder"} <= set(modules_in(packs))
    assert json.loads((packs / "report.json").read_text())["entry_point"] is None


def test_imported_mode_skips_type_checking_command_line_and_lazy_imports_of_the_stdlib(packs, tmp_path):
    descriptor = tmp_path / "distribution.json"
    descriptor.write_text(json.dumps({"version": 2, "extensions": {name: {"builtin": True, "init": f"PyInit_{name}"} for name in ("_io", "_json", "_sqlite3")}}))
    weak = {
        "json": {"email": "type_checking", "sqlite3": "command_line", "_json": "optional", "re": "optional"},
        "traceback": {},
    }
    imports = {"json": ["json.decoder", "email", "sqlite3", "_json", "re"], "traceback": ["linecache", "warnings"]}
    stdlib = dict(STDLIB, warnings=["tracemalloc"], tracemalloc=[], **imports)
    (packs / "stdlib.json").write_text(json.dumps({"modules": {
        n: {"imports": i, "weak": weak.get(n, {}), "defines": [], "path": f"lib/{n}.py"} for n, i in stdlib.items()}}))
    (packs / "stdlib.blob").write_bytes(write_blob([Entry(MODULE, n, primary=b"c", is_package=n in PACKAGES) for n in stdlib], MAGIC))
    write_app(packs, {"app": (["json"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported", descriptor=descriptor) == 0
    names = set(modules_in(packs))
    # Optional imports are followed (features such as http.client's ssl), the rest is not; warnings'
    # lazy tracemalloc is in LAZY_IMPORTS.
    assert {"json", "re", "warnings"} <= names and not {"email", "sqlite3", "tracemalloc"} & names, names
    report = json.loads((packs / "report.json").read_text())
    assert report["builtins_left_out"] == ["_sqlite3"]
    assert "email" in report["stdlib_left_out"] and "json" not in report["stdlib_left_out"]
    # The app's own imports are all followed but `if TYPE_CHECKING:`.
    (packs / "app.json").write_text(json.dumps({"modules": {"app": {
        "imports": ["email", "sqlite3"], "weak": {"email": "type_checking", "sqlite3": "optional"}, "defines": ["main"], "path": "app.py"}}}))
    assert run(packs, entry="app", stdlib_mode="imported") == 0
    assert "sqlite3" in modules_in(packs) and "email" not in modules_in(packs)
    # stdlib_include forces a module in.
    assert run(packs, entry="app", stdlib_mode="imported", stdlib_include=["tracemalloc"]) == 0
    assert "tracemalloc" in modules_in(packs)


def test_a_computed_import_name_in_the_app_gets_a_note_with_stdlib_imported(packs, capsys):
    write_app(packs, {"app": (["json", "*"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported") == 0
    err = capsys.readouterr().err
    assert "note: //app:bin: app/app.py import modules by a computed name" in err and "stdlib_include" in err
    assert run(packs, entry="app") == 0  # stdlib = "all": nothing can be missing
    assert "computed name" not in capsys.readouterr().err


def test_a_stdlib_entry_point_brings_its_command_line_imports(packs):
    stdlib = dict(STDLIB, **{"json.tool": ["argparse", "json"]}, argparse=[])
    modules = {n: {"imports": i, "weak": {"argparse": "command_line"} if n == "json.tool" else {}, "defines": ["main"],
                   "path": f"lib/{n}.py"} for n, i in stdlib.items()}
    (packs / "stdlib.json").write_text(json.dumps({"modules": modules}))
    (packs / "stdlib.blob").write_bytes(write_blob([Entry(MODULE, n, primary=b"c", is_package=n in PACKAGES) for n in stdlib], MAGIC))
    write_app(packs, {"app": (["json.tool"], ["main"])})
    assert run(packs, entry="app", stdlib_mode="imported") == 0
    assert "argparse" not in modules_in(packs)  # json.tool imported by the app: its main() is not run
    assert run(packs, entry="json.tool", stdlib_mode="imported") == 0
    assert "argparse" in modules_in(packs)


CJK_STDLIB = {
    "_pystatic_bootstrap": [], "_pystatic_resources": [], "traceback": [], "linecache": [], "codecs": [],
    "encodings": ["codecs", "encodings.aliases"], "encodings.aliases": [], "encodings.utf_8": ["codecs"],
    "encodings.shift_jis": ["_codecs_jp", "codecs", "_multibytecodec"],
    "encodings.gbk": ["_codecs_cn", "codecs", "_multibytecodec"],
}


@pytest.fixture
def cjk_packs(tmp_path):
    sources = {"encodings.aliases": b"aliases = {\n    'sjis': 'shift_jis',\n    'cp936': 'gbk',\n}\n"}
    stdlib = [Entry(MODULE, name, primary=b"c", source=sources.get(name, b"s"), is_package=name == "encodings")
              for name in CJK_STDLIB]
    (tmp_path / "stdlib.blob").write_bytes(write_blob(stdlib, MAGIC))
    (tmp_path / "stdlib.json").write_text(json.dumps({"modules": {
        n: {"imports": i, "defines": [], "path": f"lib/{n}.py"} for n, i in CJK_STDLIB.items()}}))
    builtins = ["_codecs", "_io", "_codecs_jp", "_codecs_cn", "_multibytecodec"]
    (tmp_path / "d.json").write_text(json.dumps({"version": 2, "extensions": {
        n: {"builtin": True, "init": f"PyInit_{n}"} for n in builtins}}))
    return tmp_path


def test_cjk_codecs_and_their_builtins_only_when_named(cjk_packs, capsys):
    tmp = cjk_packs
    (tmp / "app.blob").write_bytes(write_blob([Entry(MODULE, "app", primary=b"a", source=b"print(b.decode('SJIS'))\n")], MAGIC))
    (tmp / "app.json").write_text(json.dumps({"modules": {"app": {"imports": [], "defines": [], "path": "app/app.py"}}}))
    common = {"entry": "app", "stdlib_mode": "imported", "descriptor": tmp / "d.json"}
    assert run(tmp, **common) == 0
    names = modules_in(tmp)
    assert "encodings.utf_8" in names and "encodings.aliases" in names
    assert "encodings.shift_jis" not in names and "encodings.gbk" not in names
    report = json.loads((tmp / "report.json").read_text())
    assert {"_codecs_jp", "_codecs_cn", "_multibytecodec"} <= set(report["builtins_left_out"])
    assert {"encodings.shift_jis", "encodings.gbk"} <= set(report["stdlib_left_out"])
    # The app names "SJIS" (an alias of shift_jis) in a literal: the build says what to add; gbk is not named.
    err = capsys.readouterr().err
    assert 'app names the encoding of encodings.shift_jis' in err and 'stdlib_include = ["encodings.shift_jis"]' in err
    assert "encodings.gbk" not in err
    # Named: embedded, with the built-ins it imports.
    assert run(tmp, **common, stdlib_include=["encodings.shift_jis"]) == 0
    assert "encodings.shift_jis" in modules_in(tmp) and "encodings.gbk" not in modules_in(tmp)
    left_out = json.loads((tmp / "report.json").read_text())["builtins_left_out"]
    assert "_codecs_jp" not in left_out and "_multibytecodec" not in left_out and "_codecs_cn" in left_out
    assert "names the encoding" not in capsys.readouterr().err
    # stdlib = "all" and stdlib_include = ["encodings"] keep every codec.
    assert run(tmp, **common, stdlib_include=["encodings"]) == 0
    assert {"encodings.shift_jis", "encodings.gbk"} <= set(modules_in(tmp))
    assert run(tmp, entry="app", descriptor=tmp / "d.json") == 0
    assert {"encodings.shift_jis", "encodings.gbk"} <= set(modules_in(tmp))


def test_an_import_of_a_module_a_wheel_check_left_out_fails(packs, capsys):
    # tests/actions/test_left_out_imports.py has the wheel checks' side (Pillow, lxml).
    write_app(packs, {"app": (["json", "lxml", "lxml.etree"], ["main"])})
    check = packs / "lxml.natives.json"
    check.write_text(json.dumps({"target": "@@pypi//:lxml_x86_64", "package": "lxml 6.0 (lxml-6.0.whl)",
                                 "left_out": {"lxml.etree": "lxml/etree.so"}}))
    assert run(packs, entry="app", extra=["--wheel_check", str(check)]) == 1
    err = capsys.readouterr().err
    assert "app/app.py (module app) imports lxml.etree, which is not in the binary: lxml 6.0" in err and "Fix:" in err
    check.write_text(json.dumps({"target": "@@pypi//:lxml_x86_64", "package": "lxml 6.0 (lxml-6.0.whl)", "left_out": {}}))
    assert run(packs, entry="app", extra=["--wheel_check", str(check)]) == 0


def write_ensurepip(tmp, magic=MAGIC, modules=("ensurepip", "ensurepip.__main__")):
    entries = [Entry(MODULE, n, primary=b"e", source=b"s", is_package=n == "ensurepip") for n in modules]
    entries.append(Entry(DATA, "ensurepip/_bundled/pip-1-py3-none-any.whl", primary=b"PK"))
    (tmp / "ensurepip.blob").write_bytes(write_blob(entries, magic))
    imports = {"ensurepip": ["json"], "ensurepip.__main__": ["ensurepip"]}
    (tmp / "ensurepip.json").write_text(json.dumps({"modules": {n: {"imports": imports.get(n, []), "defines": []} for n in modules}}))
    return ["--stdlib_extra", str(tmp / "ensurepip.blob"), str(tmp / "ensurepip.json")]


def test_an_extra_stdlib_pack_is_part_of_the_stdlib_selection_and_exclusions(packs, capsys):
    """An interpreter's ensurepip (runtime toolchain): selected, excluded and shadow-checked like the stdlib."""
    extra = write_ensurepip(packs)
    write_app(packs, {"app": ([], [])})
    assert run(packs, interpreter=True, extra=extra) == 0
    assert {"ensurepip", "ensurepip.__main__", "json"} <= set(modules_in(packs))
    assert read_blob(packs / "out.blob").get(DATA, "ensurepip/_bundled/pip-1-py3-none-any.whl").primary == b"PK"
    assert run(packs, interpreter=True, stdlib_exclude=["ensurepip"], extra=extra) == 0
    assert "ensurepip" not in modules_in(packs)
    assert read_blob(packs / "out.blob").get(DATA, "ensurepip/_bundled/pip-1-py3-none-any.whl") is None
    assert run(packs, interpreter=True, stdlib_mode="imported", extra=extra) == 0
    assert "ensurepip" not in modules_in(packs), "imported by nothing"
    write_app(packs, {"ensurepip": ([], [])})
    assert run(packs, interpreter=True, extra=extra) == 1
    assert "app/ensurepip.py is module 'ensurepip', which is also a standard library module" in capsys.readouterr().err


def test_an_extra_stdlib_pack_of_another_python_or_repeating_a_module_is_rejected(packs, capsys):
    write_app(packs, {"app": ([], [])})
    assert run(packs, interpreter=True, extra=write_ensurepip(packs, magic=b"\x00\x00\r\n")) == 1
    assert "ensurepip.blob was compiled by another Python version than the stdlib" in capsys.readouterr().err
    assert run(packs, interpreter=True, extra=write_ensurepip(packs, modules=("ensurepip", "json"))) == 1
    assert "ensurepip.blob has module 'json', which the stdlib pack has too" in capsys.readouterr().err
