import pytest

from pystatic.modules.fallbacks import analyse
from pystatic.modules.names import module_of
from pystatic.packages import check_wheel


def test_module_of_native_and_python_paths():
    assert module_of("markupsafe/_speedups.cpython-313-x86_64-linux-musl.so") == "markupsafe._speedups"
    assert module_of("pkg/__init__.py") == "pkg"
    assert module_of("top.abi3.so") == "top"


GUARDED = """
try:
    from ._speedups import escape
except ImportError:
    from ._native import escape
"""


def test_guarded_import_is_a_fallback():
    sources = {"pkg": (GUARDED, True), "pkg._native": ("def escape(s): return s", False)}
    notes, natives, broken = analyse(sources, ["pkg/_speedups.cpython-313-x86_64-linux-musl.so"], set())
    assert broken == [] and natives == []
    assert "not importable in the binary: pkg._speedups" in notes[0]


def test_unguarded_chain_through_a_guarded_module_is_a_fallback():
    # PyYAML: yaml imports cyaml inside try/except; cyaml imports the extension unguarded.
    sources = {
        "yaml": ("try:\n    from .cyaml import *\nexcept ImportError:\n    pass\n", True),
        "yaml.cyaml": ("from yaml._yaml import CParser\n", False),
        "_yaml": ("from yaml._yaml import *\n", True),
    }
    notes, _, broken = analyse(sources, ["yaml/_yaml.cpython-313-x86_64-linux-musl.so"], set())
    assert broken == []
    assert "_yaml, yaml._yaml, yaml.cyaml" in notes[0]


def test_unguarded_import_in_the_package_is_an_error():
    sources = {"orjson": ("from .orjson import *\n", True)}
    notes, natives, broken = analyse(sources, ["orjson/orjson.cpython-313-x86_64-linux-musl.so"], set())
    assert broken == ["orjson"] and natives == ["orjson/orjson.cpython-313-x86_64-linux-musl.so"]


def test_except_other_than_import_error_does_not_guard():
    sources = {"pkg": ("try:\n    from . import _fast\nexcept KeyError:\n    pass\n", True)}
    assert analyse(sources, ["pkg/_fast.so"], set())[2] == ["pkg"]


def test_python_twin_builtin_and_mypyc_runtime():
    sources = {"cn": ("from . import md\n", True), "cn.md": ("x = 1\n", False)}
    natives = ["cn/md.cpython-313-x86_64-linux-musl.so", "_zstd.cpython-313-x86_64-linux-musl.so", "81d243bd2c585b0f4821__mypyc.cpython-313-x86_64-linux-musl.so"]
    notes, unusable, broken = analyse(sources, natives, {"_zstd"})
    assert (unusable, broken) == ([], [])
    assert any("Python module cn.md" in n for n in notes)
    assert any("built-in module _zstd" in n for n in notes)
    assert any("mypyc runtime" in n for n in notes)


def test_main_writes_notes_or_fails(tmp_path, capsys):
    root = tmp_path / "whl"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from . import _c\n")
    args = ["--target", "//x:pkg", "--package", "pkg 1.0", "--root", str(root), "--src", str(root / "pkg" / "__init__.py"),
            "--native", "pkg/_c.so", "--stamp", str(tmp_path / "stamp")]
    assert check_wheel.main(args) == 1
    err = capsys.readouterr().err
    assert "//x:pkg: pkg 1.0 needs C extensions a static binary cannot load: pkg/_c.so" in err and "Fix:" in err
    (root / "pkg" / "__init__.py").write_text("try:\n    from . import _c\nexcept ImportError:\n    _c = None\n")
    assert check_wheel.main(args) == 0
    assert "left out pkg/_c.so" in (tmp_path / "stamp").read_text()
    assert "note: //x:pkg: pkg 1.0: left out" in capsys.readouterr().err


def test_built_in_from_py_static_extension_replaces_the_so(tmp_path):
    root = tmp_path / "whl"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from ._c import f\n")
    args = ["--target", "//x:pkg", "--package", "pkg 1.0", "--root", str(root), "--src", str(root / "pkg" / "__init__.py"),
            "--native", "pkg/_c.so", "--built_in", "pkg._c", "--stamp", str(tmp_path / "stamp")]
    assert check_wheel.main(args) == 0
    assert "uses the built-in module pkg._c" in (tmp_path / "stamp").read_text()


def test_built_in_and_descriptor_are_united(tmp_path):
    # pystatic.wheels(sdists = [...], built_in = [...]) as the error suggests: the wheel target
    # passes both the distribution's descriptor and --built_in; each must count.
    root = tmp_path / "whl"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from ._c import f\nimport _zstd\n")
    descriptor = tmp_path / "descriptor.json"
    descriptor.write_text('{"version": 2, "extensions": {"_zstd": {"init": "PyInit__zstd", "builtin": true}}}')
    args = ["--target", "//x:pkg", "--package", "pkg 1.0", "--root", str(root), "--src", str(root / "pkg" / "__init__.py"),
            "--native", "pkg/_c.so", "--native", "_zstd.so", "--descriptor", str(descriptor), "--built_in", "pkg._c",
            "--stamp", str(tmp_path / "stamp")]
    assert check_wheel.main(args) == 0
    stamp = (tmp_path / "stamp").read_text()
    assert "uses the built-in module pkg._c" in stamp and "uses the built-in module _zstd" in stamp


def test_with_the_loader_needed_shared_objects_are_embedded_not_refused(tmp_path):
    root = tmp_path / "whl"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("from ._c import f\n")
    natives = ["pkg/_c.cpython-313-x86_64-linux-musl.so", "pkg.libs/libdep-1a2b.so.1", "pkg/_twin.so"]
    (root / "pkg" / "_twin.py").write_text("x = 1\n")
    args = ["--target", "//x:pkg", "--package", "pkg 1.0", "--root", str(root),
            "--src", str(root / "pkg" / "__init__.py"), "--src", str(root / "pkg" / "_twin.py"),
            *(a for n in natives for a in ("--native", n)), "--loader",
            "--stamp", str(tmp_path / "stamp"), "--left_out", str(tmp_path / "record.json")]
    assert check_wheel.main(args) == 0
    record = __import__("json").loads((tmp_path / "record.json").read_text())
    # The module, the bundled library it may need and the compiled twin of a .py (used first, as pip's install would).
    assert record["loaded"] == ["pkg.libs/libdep-1a2b.so.1", "pkg/_c.cpython-313-x86_64-linux-musl.so", "pkg/_twin.so"]
    assert record["left_out"] == {}
    assert "loads 3 shared object(s) from memory" in (tmp_path / "stamp").read_text()


def test_with_the_loader_optional_speedups_are_loaded_too(tmp_path):
    root = tmp_path / "whl"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text(GUARDED)
    (root / "pkg" / "_native.py").write_text("def escape(s): return s\n")
    args = ["--target", "//x:pkg", "--package", "pkg 1.0", "--root", str(root),
            "--src", str(root / "pkg" / "__init__.py"), "--src", str(root / "pkg" / "_native.py"),
            "--native", "pkg/_speedups.abi3.so", "--loader",
            "--stamp", str(tmp_path / "stamp"), "--left_out", str(tmp_path / "record.json")]
    assert check_wheel.main(args) == 0
    record = __import__("json").loads((tmp_path / "record.json").read_text())
    assert record == {"target": "//x:pkg", "package": "pkg 1.0", "left_out": {}, "loaded": ["pkg/_speedups.abi3.so"]}
    args.remove("--loader")
    assert check_wheel.main(args) == 0
    record = __import__("json").loads((tmp_path / "record.json").read_text())
    assert record["loaded"] == [] and record["left_out"] == {"pkg._speedups": "pkg/_speedups.abi3.so"}
