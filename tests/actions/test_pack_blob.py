"""pack_blob.py: entry points, console scripts, sources, compression, file access notes, extract_packages
and wheel checks; the stdlib selection is test_pack_blob_stdlib.py's."""

import json

import pytest

from pack_blob_fixtures import MAGIC, make_packs, modules_in, run, write_app
from pystatic.format.blob import METADATA, MODULE, Entry, read_blob, write_blob


@pytest.fixture
def packs(tmp_path):
    return make_packs(tmp_path)


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
        ({"app.cli": ([], ["main"])}, {"entry": "cli:main"},
         "module 'cli' is not among.*app/app.cli.py is module 'app.cli': use entry_point = \"app.cli:main\", or make its "
         "directory an import root \\(imports = \\[\".\"\\]"),
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
    assert 'note: //app:bin: native: passes a path next to its modules to C code or the kernel (native/__init__.py:2 ctypes.CDLL)' in log
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


def test_interpreter_needs_no_entry_point_and_keeps_every_app_module(packs):
    write_app(packs, {"lib": (["json"], []), "other": ([], [])})
    assert run(packs, interpreter=True, stdlib_mode="imported") == 0
    assert {"lib", "other", "json", "json.decoder"} <= set(modules_in(packs))
    assert json.loads((packs / "report.json").read_text())["entry_point"] is None


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
