"""The fetch phase's text scan of imports agrees with ast's, and does not depend on the host's parser."""

import pathlib
import sysconfig

from pystatic.modules import fallbacks, import_scan

PEP_695 = '''
"""A 3.12+ module: the host's ast (3.11) rejects it."""
from collections.abc import Callable
type _HookFunc = Callable[..., None]
s = f"{d["key"]}"  # PEP 701
try:
    from ._speedups import fast
except ImportError:
    fast = None
'''


def test_newer_syntax_is_scanned_not_parsed():
    found = import_scan.imports_of(PEP_695, "pkg", True)
    assert ("collections.abc", False) in found
    assert ("pkg._speedups", True) in found and ("pkg._speedups.fast", True) in found


def test_reraise_is_no_fallback_in_both():
    source = (
        "try:\n    from . import _imaging as core\nexcept ImportError as v:\n    core = None\n"
        "    if str(v).startswith('x'):\n        warn(v)\n    raise\n"
    )
    assert ("PIL._imaging", False) in import_scan.imports_of(source, "PIL.Image", False)
    assert ("PIL._imaging", False) in fallbacks.imports_of(source, "PIL.Image", False)


def test_raise_in_a_function_of_the_handler_still_falls_back():
    source = "try:\n    from _c import f\nexcept ImportError:\n    def f():\n        raise NotImplementedError\n"
    assert import_scan.imports_of(source, "m", False) == [("_c", True), ("_c.f", True)]


def test_strings_comments_continuations_and_one_line_blocks():
    source = (
        "x = '''\nimport nope\n'''  # import nope\nimport os, sys as s\nfrom .a import (b,\n  c as d)\n"
        "try: import fast\nexcept: fast = None\nif x: import q; import r\nimport \\\n  json\n"
    )
    assert import_scan.imports_of(source, "pkg", True) == [
        ("os", False), ("sys", False), ("pkg.a", False), ("pkg.a.b", False), ("pkg.a.c", False),
        ("fast", True), ("q", False), ("r", False), ("json", False),
    ]


def test_agrees_with_ast_on_the_standard_library():
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    checked, differ = 0, []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            expected = fallbacks.imports_of(source, "m", False)
        except (SyntaxError, ValueError):
            continue
        checked += 1
        if sorted(set(import_scan.imports_of(source, "m", False))) != sorted(set(expected)):
            differ.append(str(path))
    assert checked > 500
    assert len(differ) <= checked // 200, differ[:10]
