"""Which native modules a package can do without: its imports, and those guarded by `except ImportError`.

A static executable cannot load shared objects, so a wheel's native module is usable only as a
built-in, shadowed by a Python module of the same name, or optional: every import of it, or of a
module that imports it unguarded, sits inside `try: ... except ImportError` whose handler does not
raise again (Pillow's `except ImportError: ...; raise` is no fallback). The wheel check
(packages/check_wheel.py) refuses the rest and hands the modules it left out to the pack step,
which fails a binary whose code imports one of them (lxml's `etree`, imported by the app itself).

The closure (`analysis`) takes the import lists from a scanner: `imports_of` here parses with `ast`
and is run only by the distribution's own interpreter (the build action PyStaticWheel), since a
parser of another version may reject the target's syntax; the fetch phase passes the
version-independent text scan of modules/import_scan.py instead, for its automatic-sdist hint.
"""

import ast
from dataclasses import dataclass, field

from pystatic.modules.names import absolute_import_name, module_of

IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _raises(statements):
    """Whether a `raise` sits in these statements (not in a function or class they define)."""
    pending = list(statements)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Raise):
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return False


def _catches_import_error(handler):
    """A handler that catches ImportError and does not raise again: the fallback runs."""
    if _raises(handler.body):
        return False
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, (ast.Name, ast.Attribute)) and (getattr(n, "id", None) or n.attr) in IMPORT_ERRORS for n in names)


def imports_of(source, module, is_package):
    """(imported module, guarded) for each import in `source` of `module`. Raises SyntaxError."""
    found = []

    def visit(node, guarded):
        if isinstance(node, ast.Try):
            inner = guarded or any(_catches_import_error(h) for h in node.handlers)
            for child in node.body:
                visit(child, inner)
            for child in node.handlers + node.orelse + node.finalbody:
                visit(child, guarded)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, guarded))
        elif isinstance(node, ast.ImportFrom):
            base = absolute_import_name(node.module or "", node.level, module, is_package)
            if base:
                found.append((base, guarded))
                # `from pkg import mod` may import a submodule
                found.extend((f"{base}.{alias.name}", guarded) for alias in node.names if alias.name != "*")
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(ast.parse(source), False)
    return found


@dataclass
class Analysis:
    notes: list = field(default_factory=list)
    unusable: list = field(default_factory=list)  # native paths the package cannot do without
    broken: list = field(default_factory=list)  # public top-level modules that fail without them
    left_out: dict = field(default_factory=dict)  # module not importable in the binary -> the native path it needs


def analysis(sources, natives, builtins, scan=imports_of):
    """sources: {module: (source, is_package)}; natives: [rel path]; scan: imports_of or a stand-in."""
    result, unresolved = Analysis(), {}
    for path in natives:
        name = module_of(path)
        if name in builtins:
            result.notes.append(f"{path}: uses the built-in module {name} (the distribution's, or py_static_extension's)")
        elif name in sources:
            result.notes.append(f"{path}: uses the Python module {name} shipped beside it")
        elif name.endswith("__mypyc"):
            result.notes.append(f"{path}: mypyc runtime, needed only by compiled modules, which have Python twins")
        else:
            unresolved[name] = path
    if not unresolved:
        return result
    edges = {}
    for module, (source, is_package) in sources.items():
        try:
            edges[module] = scan(source, module, is_package)
        except (SyntaxError, ValueError) as err:
            # Not importable anyway (e.g. a Python 2 test file); compiling the binary says so if it is embedded.
            result.notes.append(f"{module}: does not parse ({err.__class__.__name__}), its imports are not followed")
            edges[module] = []
    # Modules whose import fails without the .so files: the natives, then every module that
    # imports a failing one outside a fallback; `because` keeps the native each one needs.
    because = dict(unresolved)
    changed = True
    while changed:
        changed = False
        for module, found in sorted(edges.items()):
            if module in because:
                continue
            cause = next((because[t] for t, guarded in found if not guarded and t in because), None)
            if cause:
                because[module] = cause
                changed = True
    # A public top-level module that fails is the package itself failing; private ones
    # (PyYAML's `_yaml` shim) are internal.
    tops = {m for m in sources if "." not in m and not m.startswith("_")}
    result.broken = sorted(set(because) & tops)
    if result.broken:
        result.unusable = [unresolved[n] for n in sorted(unresolved)]
        return result
    result.left_out = dict(sorted(because.items()))
    result.notes.append(
        "left out " + ", ".join(unresolved[n] for n in sorted(unresolved)) + "; not importable in the binary: "
        + ", ".join(result.left_out) + " (the package imports them only inside try/except ImportError and falls back to pure Python)"
    )
    return result


def analyse(sources, natives, builtins, scan=imports_of):
    """(notes, unusable .so paths, top-level modules that cannot be imported without them)."""
    result = analysis(sources, natives, builtins, scan)
    return result.notes, result.unusable, result.broken
