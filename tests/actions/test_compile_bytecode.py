import ast
import json
import marshal

import pytest

from pystatic.binary import compile_bytecode
from pystatic.format.blob import DATA, METADATA, MODULE, read_blob


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_imports_resolve_relative_and_from_imports(tmp_path):
    tree = ast.parse(
        "import os.path\nfrom . import sibling\nfrom .. import up\nfrom json import decoder as d, loads\n"
        "def f():\n    import email.message\n"
        "if __name__ == '__main__':\n    import doctest\nelse:\n    import zipfile\n"
        "if __name__ != '__main__':\n    import csv\n"
    )
    assert compile_bytecode.imports_of(tree, "pkg.sub.mod", is_package=False) == [
        "csv", "email.message", "json", "json.decoder", "json.loads", "os.path", "pkg", "pkg.sub", "pkg.sub.sibling",
        "pkg.up", "zipfile",
    ], "lazy imports count; the __main__ block does not"


def test_relative_import_beyond_top_level_is_not_followed():
    assert compile_bytecode.imports_of(ast.parse("from ... import x\n"), "a.b", is_package=False) == []


def test_weak_imports_type_checking_optional_and_command_line():
    source = (
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import decimal\n"
        "try:\n    import _json\nexcept ImportError:\n    import json\n"
        "try:\n    import zlib\nexcept (ValueError, ModuleNotFoundError):\n    pass\n"
        "try:\n    import bz2\nexcept OSError:\n    pass\n"
        "def _test():\n    import doctest, os\n"
        "def helper():\n    import csv\n"
        "def main():\n    import argparse\n"
        "main()\n"
        "if __name__ == '__main__':\n    _test()\n    main()\n"
    )
    names, weak, _ = compile_bytecode.scan_imports(ast.parse(source), "m", is_package=False)
    assert weak == {"decimal": "type_checking", "_json": "optional", "zlib": "optional", "doctest": "command_line"}
    # bz2: OSError is no ImportError; csv: any caller; argparse: main() is also called on import; os: strong.
    assert set(names) == {"os", "typing", "typing.TYPE_CHECKING", "decimal", "_json", "json", "zlib", "bz2",
                          "doctest", "csv", "argparse"}


def test_top_level_names():
    code = compile("import a\nfrom b import c\ndef main(): pass\nclass K: pass\nX = 1\n", "x.py", "exec")
    assert compile_bytecode.top_level_names(code) == ["K", "X", "a", "c", "main"]


def test_stdlib_tree_walk_skips_non_packages(tmp_path):
    lib = tmp_path / "lib"
    write(lib / "os.py", "")
    write(lib / "json" / "__init__.py", "")
    write(lib / "json" / "decoder.py", "")
    write(lib / "json" / "data.txt", "x")
    write(lib / "site-packages" / "README.txt", "")
    write(lib / "site-packages" / "foo.py", "")
    write(lib / "lib-dynload" / "README", "")
    write(lib / "notapkg" / "m.py", "")
    resources = [(k, n) for k, n, _ in compile_bytecode.stdlib_resources(str(lib))]
    assert sorted(resources) == [("data", "json/data.txt"), ("module", "json.decoder"), ("module", "os"), ("package", "json")]


def test_directories_inside_a_package_that_are_no_packages_hold_its_data(tmp_path):
    """venv's activate scripts (venv/scripts/posix/activate), ensurepip's pip wheel (_bundled)."""
    lib = tmp_path / "lib"
    write(lib / "venv" / "__init__.py", "")
    write(lib / "venv" / "scripts" / "common" / "activate", "x")
    write(lib / "venv" / "scripts" / "posix" / "activate.fish", "x")
    write(lib / "venv" / "scripts" / "posix" / "helper.py", "")
    write(lib / "venv" / "scripts" / "posix" / "deeper" / "__init__.py", "")
    write(lib / "venv" / "__pycache__" / "notes.txt", "")
    write(lib / "ensurepip" / "__init__.py", "")
    write(lib / "ensurepip" / "_bundled" / "pip-1-py3-none-any.whl", "PK")
    write(lib / "ensurepip" / "_bundled" / "old.pyc", "")
    resources = [(k, n) for k, n, _ in compile_bytecode.stdlib_resources(str(lib))]
    assert sorted(resources) == [
        ("data", "ensurepip/_bundled/pip-1-py3-none-any.whl"),
        ("data", "venv/scripts/common/activate"),
        ("data", "venv/scripts/posix/activate.fish"),
        ("data", "venv/scripts/posix/deeper/__init__.py"),
        ("data", "venv/scripts/posix/helper.py"),
        ("package", "ensurepip"),
        ("package", "venv"),
    ]


def test_main_writes_blob_and_imports(tmp_path):
    src = write(tmp_path / "app" / "pkg" / "mod.py", "import json\ndef main():\n    return 3\n")
    init = write(tmp_path / "app" / "pkg" / "__init__.py", "")
    data = write(tmp_path / "app" / "pkg" / "motd.txt", "hi")
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"version": 1, "target": "//x", "resources": [
        {"kind": "package", "name": "pkg", "path": str(init)},
        {"kind": "module", "name": "pkg.mod", "path": str(src)},
        {"kind": "data", "name": "pkg/motd.txt", "path": str(data)},
    ]}))
    out, imports = tmp_path / "out.blob", tmp_path / "imports.json"
    args = ["--manifest", str(manifest), "--optimize", "2", "--output", str(out), "--imports", str(imports)]
    assert compile_bytecode.main(args) == 0
    reader = read_blob(out)
    entry = reader.get(MODULE, "pkg.mod")
    assert entry.source == src.read_bytes()
    namespace = {}
    exec(marshal.loads(entry.primary), namespace)
    assert namespace["main"]() == 3
    assert reader.get(MODULE, "pkg").is_package
    assert reader.get(DATA, "pkg/motd.txt").primary == b"hi"
    info = json.loads(imports.read_text())
    assert info["optimize"] == 2
    assert info["modules"]["pkg.mod"] == {"imports": ["json"], "weak": {}, "defines": ["json", "main"], "path": str(src)}
    first = out.read_bytes()
    assert compile_bytecode.main(args) == 0
    assert out.read_bytes() == first, "deterministic"


def test_syntax_error_names_the_file(tmp_path, capsys):
    bad = write(tmp_path / "bad.py", "def (:\n")
    args = ["--module", "bad", str(bad), "--output", str(tmp_path / "o"), "--imports", str(tmp_path / "i")]
    assert compile_bytecode.main(args) == 1
    assert "bad.py: does not compile with Python" in capsys.readouterr().err


def test_optimize_2_drops_docstrings():
    code = compile_bytecode.compile_source(b'"""doc"""\nassert False\n', "m.py", 2)
    namespace = {"__doc__": "unset"}
    exec(code, namespace)  # the assert is gone too
    assert namespace["__doc__"] == "unset"
    assert "doc" not in code.co_consts


def test_bad_source_raises_compile_error():
    with pytest.raises(compile_bytecode.CompileError, match="m.py"):
        compile_bytecode.compile_source(b"x = (", "m.py", 0)


def test_dist_info_files_are_distribution_metadata(tmp_path):
    meta = write(tmp_path / "tool-1.0.dist-info" / "METADATA", "Name: tool\nVersion: 1.0\n")
    data = write(tmp_path / "tool" / "x.dist-info.txt", "data")
    entries, _ = compile_bytecode.compile_resources(
        [("data", "tool-1.0.dist-info/METADATA", str(meta)), ("data", "tool/x.dist-info.txt", str(data))], 0
    )
    assert [(e.kind, e.name) for e in entries] == [(METADATA, "tool-1.0.dist-info/METADATA"), (DATA, "tool/x.dist-info.txt")]


def test_replace_compiles_a_stdlib_module_from_another_file(tmp_path, capsys):
    write(tmp_path / "lib" / "_pyrepl" / "__init__.py", "")
    write(tmp_path / "lib" / "_pyrepl" / "_minimal_curses.py", "import ctypes\n")
    ours = write(tmp_path / "ours.py", "WHO = 'ours'\n")
    out, imports = tmp_path / "out.blob", tmp_path / "imports.json"
    args = ["--stdlib", str(tmp_path / "lib"), "--output", str(out), "--imports", str(imports)]
    assert compile_bytecode.main(args + ["--replace", "_pyrepl._minimal_curses", str(ours)]) == 0
    entry = read_blob(out).get(MODULE, "_pyrepl._minimal_curses")
    assert entry.source == b"WHO = 'ours'\n"
    assert json.loads(imports.read_text())["modules"]["_pyrepl._minimal_curses"]["imports"] == []
    assert compile_bytecode.main(args + ["--replace", "_pyrepl.nope", str(ours)]) == 1
    assert "--replace names no module of the standard library: _pyrepl.nope" in capsys.readouterr().err


def test_import_module_of_a_constant_name_is_an_import_and_of_a_computed_name_is_star():
    source = "import importlib\nimportlib.import_module('json.decoder')\n__import__(name)\n"
    names, weak, deferred = compile_bytecode.scan_imports(ast.parse(source), "m", is_package=False)
    assert names == ["*", "importlib", "json.decoder"] and weak == {} and deferred == {}


def test_imports_only_inside_functions_the_module_does_not_call_on_import_are_deferred():
    source = (
        "import os\n"
        "def helper():\n    import csv\n    def inner():\n        import gzip\n"
        "class Tool:\n    import abc\n    def run(self, x=__import__('shlex')):\n        import os, json\n"
        "def _setup():\n    import zlib\n"
        "def main():\n    import argparse\n"
        "_setup()\n"
        "register = lambda: __import__('bz2')\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    names, weak, deferred = compile_bytecode.scan_imports(ast.parse(source), "m", is_package=False)
    # os: also at module level; abc: a class body runs on import; shlex: a default runs at the def;
    # zlib: _setup() is called on import; argparse: main() only from the __main__ block.
    assert deferred == {"argparse": ["main"], "bz2": ["<lambda>"], "csv": ["helper"], "gzip": ["helper"],
                        "json": ["Tool.run"]}
    assert set(names) >= {"os", "abc", "shlex", "zlib"} | set(deferred) and weak == {"argparse": "command_line"}
