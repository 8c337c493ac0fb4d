"""No extension silently left out: Pillow's re-raising fallback and lxml's etree imported by the app.

Hand-written miniatures of the two packages: the wheel check (check_wheel.py, PyStaticWheel) leaves
the extensions out and writes which modules are then not importable; the pack step
(pack_blob.py with left_out_imports.py) fails a binary whose code imports one of them, naming the
package, the module, the importer and the fix.
"""

import ast
import json

import pytest

from pystatic.binary import left_out_imports, pack_blob
from pystatic.binary.compile_bytecode import scan_imports
from pystatic.packages import check_wheel

PILLOW = {
    "PIL/__init__.py": '__version__ = "11.0.0"\n',
    "PIL/Image.py": (
        "from . import _version\n"
        "try:\n"
        "    from . import _imaging as core\n"
        "    if core.PILLOW_VERSION != _version.__version__:\n"
        "        raise ImportError('mismatch')\n"
        "except ImportError as v:\n"
        "    core = None\n"
        "    if str(v).startswith('Module use of python'):\n"
        "        warnings.warn('...')\n"
        "    raise\n"
    ),
    "PIL/ImageFile.py": "from . import Image\n",
    "PIL/_version.py": '__version__ = "11.0.0"\n',
}
PILLOW_NATIVES = ["PIL/_imaging.cpython-313-x86_64-linux-musl.so"]
LXML = {"lxml/__init__.py": "def get_include():\n    return []\n"}
LXML_NATIVES = ["lxml/etree.cpython-313-x86_64-linux-musl.so", "lxml/objectify.cpython-313-x86_64-linux-musl.so"]


def wheel_check(tmp_path, name, files, natives):
    """Runs the wheel check on a miniature unpacked wheel; returns (exit code, the left-out JSON path)."""
    root = tmp_path / name
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    out = tmp_path / f"{name}.natives.json"
    args = ["--target", f"@@pypi//:{name}_x86_64", "--package", f"{name} 1.0 ({name}-1.0-cp313-cp313-musllinux_1_2_x86_64.whl)",
            "--root", str(root), "--stamp", str(tmp_path / f"{name}.natives.txt"), "--left_out", str(out)]
    for rel in files:
        args += ["--src", str(root / rel)]
    for native in natives:
        args += ["--native", native]
    return check_wheel.main(args), out


def app_imports(modules):
    """compile_bytecode's imports file for {module: source}."""
    out = {}
    for name, source in modules.items():
        names, weak, _ = scan_imports(ast.parse(source), name, False)
        out[name] = {"imports": names, "weak": weak, "defines": [], "path": f"app/{name}.py"}
    return out


def test_pillow_reraise_is_no_fallback_and_the_app_import_fails(tmp_path):
    code, left = wheel_check(tmp_path, "Pillow", PILLOW, PILLOW_NATIVES)
    assert code == 0  # the package's top level imports without it ...
    modules = json.loads(left.read_text())["left_out"]
    assert set(modules) == {"PIL._imaging", "PIL.Image", "PIL.ImageFile"}  # ... but Image re-raises
    with pytest.raises(left_out_imports.LeftOutImportError) as err:
        left_out_imports.check("//app:app", app_imports({"app": "from PIL import Image\n"}), [left])
    message = str(err.value)
    for text in ("//app:app", "app/app.py (module app) imports PIL.Image", "Pillow 1.0", "PIL/_imaging.cpython-313",
                 'Fix: build Pillow from its sdist: pystatic.wheels(build_from_source = ["Pillow"])'):
        assert text in message, message


def test_lxml_etree_imported_by_the_app_fails(tmp_path):
    code, left = wheel_check(tmp_path, "lxml", LXML, LXML_NATIVES)
    assert code == 0
    assert set(json.loads(left.read_text())["left_out"]) == {"lxml.etree", "lxml.objectify"}
    with pytest.raises(left_out_imports.LeftOutImportError) as err:
        left_out_imports.check("//app:app", app_imports({"app": "from lxml import etree\n"}), [left])
    assert "app/app.py (module app) imports lxml.etree" in str(err.value)
    assert "lxml/etree.cpython-313-x86_64-linux-musl.so" in str(err.value)


def test_an_importer_with_its_own_fallback_passes(tmp_path):
    _, left = wheel_check(tmp_path, "lxml", LXML, LXML_NATIVES)
    guarded = "try:\n    from lxml import etree\nexcept ImportError:\n    etree = None\n"
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lxml import etree\n"
    left_out_imports.check("//app:app", app_imports({"a": guarded, "b": typing_only, "c": "import lxml\n"}), [left])


def test_a_true_fallback_stays_silent(tmp_path):
    files = {"markupsafe/__init__.py": "try:\n    from ._speedups import escape\nexcept ImportError:\n    from ._native import escape\n",
             "markupsafe/_native.py": "def escape(s):\n    return s\n"}
    code, left = wheel_check(tmp_path, "markupsafe", files, ["markupsafe/_speedups.cpython-313-x86_64-linux-musl.so"])
    assert code == 0
    left_out_imports.check("//app:app", app_imports({"app": "from markupsafe import escape\n"}), [left])


def test_pack_blob_takes_the_checks(tmp_path):
    _, left = wheel_check(tmp_path, "lxml", LXML, LXML_NATIVES)
    assert left_out_imports.problems(app_imports({"app": "import lxml.etree\n"}), left_out_imports.read_checks([left])) == [
        ("app", "app/app.py", "lxml.etree")]
    assert pack_blob.parse_args(["--settings", "s", "--stdlib", "a", "--stdlib_imports", "b", "--app", "c", "--app_imports", "d",
                                 "--output", "o", "--wheel_check", str(left)]).wheel_check == [str(left)]
