"""pack_blob.py's stdlib selection: stdlib = "imported" and "all", includes and excludes, the built-ins
left out, codecs, extra stdlib packs (an interpreter's ensurepip)."""

import json

import pytest

from pack_blob_fixtures import MAGIC, PACKAGES, STDLIB, make_packs, modules_in, run, write_app
from pystatic.format.blob import DATA, MODULE, Entry, read_blob, write_blob


@pytest.fixture
def packs(tmp_path):
    return make_packs(tmp_path)


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
    common = {"entry": "app", "stdlib_mode": "imported", "descriptor": tmp / "d.json"}
    (tmp / "app.json").write_text(json.dumps({"modules": {"app": {"imports": [], "defines": [], "path": "app/app.py"}}}))
    # Named by no code: left out, their tables (built-ins) not linked.
    (tmp / "app.blob").write_bytes(write_blob([Entry(MODULE, "app", primary=b"a", source=b"print(b.decode(x))\n")], MAGIC))
    assert run(tmp, **common) == 0
    names = modules_in(tmp)
    assert "encodings.utf_8" in names and "encodings.aliases" in names
    assert "encodings.shift_jis" not in names and "encodings.gbk" not in names
    report = json.loads((tmp / "report.json").read_text())
    assert {"_codecs_jp", "_codecs_cn", "_multibytecodec"} <= set(report["builtins_left_out"])
    assert {"encodings.shift_jis", "encodings.gbk"} <= set(report["stdlib_left_out"])
    # The app (or a dependency) names "SJIS" (an alias of shift_jis) in a literal: embedded, with the
    # built-ins it imports; gbk is not named.
    (tmp / "app.blob").write_bytes(write_blob([Entry(MODULE, "app", primary=b"a", source=b"print(b.decode('SJIS'))\n")], MAGIC))
    assert run(tmp, **common) == 0
    assert "encodings.shift_jis" in modules_in(tmp) and "encodings.gbk" not in modules_in(tmp)
    left_out = json.loads((tmp / "report.json").read_text())["builtins_left_out"]
    assert "_codecs_jp" not in left_out and "_multibytecodec" not in left_out and "_codecs_cn" in left_out
    # So does stdlib_include, without a literal.
    (tmp / "app.blob").write_bytes(write_blob([Entry(MODULE, "app", primary=b"a", source=b"print(1)\n")], MAGIC))
    assert run(tmp, **common, stdlib_include=["encodings.shift_jis"]) == 0
    assert "encodings.shift_jis" in modules_in(tmp) and "encodings.gbk" not in modules_in(tmp)
    # stdlib = "all" and stdlib_include = ["encodings"] keep every codec.
    assert run(tmp, **common, stdlib_include=["encodings"]) == 0
    assert {"encodings.shift_jis", "encodings.gbk"} <= set(modules_in(tmp))
    assert run(tmp, entry="app", descriptor=tmp / "d.json") == 0
    assert {"encodings.shift_jis", "encodings.gbk"} <= set(modules_in(tmp))


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


def test_codecs_named_by_any_module_by_name_or_alias_are_found():
    from pystatic.binary.pack_blob import named_codecs
    entries = [Entry(MODULE, "detect.constant", primary=b"c", source=b'ENC = ["big5", "Shift_JIS", "utf_8"]\n'),
               Entry(MODULE, "detect.models", primary=b"m", source=b"x = 'gb18030'\n"),
               Entry(MODULE, "plain", primary=b"p", source=b"print('hello')\n"),
               Entry(DATA, "detect/data.txt", primary=b"'hz'")]
    codecs = ["encodings.big5", "encodings.shift_jis", "encodings.gb18030", "encodings.hz", "encodings.euc_kr"]
    assert named_codecs(entries, codecs, {"sjis": "shift_jis"}) == {
        "encodings.big5", "encodings.shift_jis", "encodings.gb18030"}
    assert named_codecs([Entry(MODULE, "a", primary=b"a", source=b"s = 'SJIS'\n")], codecs, {"sjis": "shift_jis"}) == {
        "encodings.shift_jis"}
    assert named_codecs(entries[2:], codecs, {}) == set()