"""No embedded code imports a module a wheel check left out (the pack step's check; a library).

The wheel check (packages/check_wheel.py, PyStaticWheel) leaves a wheel's C extension out when the
package itself falls back without it, and writes which modules are then not importable. That
proves nothing for code outside the package: the app's `from lxml import etree` (etree is the
extension) or `from PIL import Image` (Image re-raises the extension's ImportError) would crash at
the first run. Here every embedded module's imports (compile_bytecode.py's imports file) are
checked against those modules; an import inside try/except ImportError or under TYPE_CHECKING is
the importer's own fallback and passes.
"""

import json

# compile_bytecode.scan_imports' reasons of a weak import that the importer copes without.
COPES_WITHOUT = ("optional", "type_checking")


class LeftOutImportError(Exception):
    """A module imports what is not in the binary; the message names both, the package and the fix."""


def read_checks(paths):
    """{left-out module: (record, the native file it needs)} of the wheel checks' JSON files."""
    left_out = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        for module, native in record.get("left_out", {}).items():
            left_out[module] = (record, native)
    return left_out


def problems(app_imports, left_out):
    """[(importer module, its path, imported module)] of imports the binary cannot satisfy."""
    found = []
    for name, info in sorted(app_imports.items()):
        if name in left_out:
            continue  # itself left out: never imported successfully
        weak = info.get("weak", {})
        for imported in info.get("imports", []):
            if imported in left_out and weak.get(imported) not in COPES_WITHOUT:
                found.append((name, info.get("path", name), imported))
    return found


def check(target, app_imports, check_paths):
    """Raises LeftOutImportError naming the first importer of each left-out module."""
    left_out = read_checks(check_paths)
    found = problems(app_imports, left_out)
    if not found:
        return
    lines = []
    for importer, path, module in found:
        record, native = left_out[module]
        name = record["package"].split(" ")[0]
        lines.append(
            f"{path} (module {importer}) imports {module}, which is not in the binary: {record['package']} has the C "
            f"extension {native}, which a static binary cannot load, and {module} cannot be imported without it "
            f"(the package falls back only for its own imports; {record['target']} left it out).\n"
            f"  Fix: build {name} from its sdist: pystatic.wheels(build_from_source = [\"{name}\"]) (its sdist must be "
            "locked; docs/extensions.md), or link the extension in (sdists = [...], built_in = [...] and a "
            f"py_static_extension, docs/wheels.md), or do not import {module} (guard it with try/except ImportError)."
        )
    raise LeftOutImportError(f"{target}: " + "\n".join(lines))
