"""Which native modules a package can do without: its imports, and those guarded by `except ImportError`.

A static executable cannot load shared objects, so a wheel's native module is usable only as a
built-in, shadowed by a Python module of the same name, or optional: every import of it, or of a
module that imports it unguarded, sits inside `try: ... except ImportError`. The wheel check
(packages/check_wheel.py) refuses the rest; the wheels repository builds them from their sdists.
"""

import ast

from pystatic.modules.names import absolute_import_name, module_of

IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handler):
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, (ast.Name, ast.Attribute)) and (getattr(n, "id", None) or n.attr) in IMPORT_ERRORS for n in names)


def imports_of(source, module, is_package):
    """(imported module, guarded) for each import in `source` of `module`."""
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


def analyse(sources, natives, builtins):
    """sources: {module: (source, is_package)}; natives: [rel path].

    Returns (notes, unusable .so paths, top-level modules that cannot be imported without them).
    """
    notes, unresolved = [], {}
    for path in natives:
        name = module_of(path)
        if name in builtins:
            notes.append(f"{path}: uses the built-in module {name} (the distribution's, or py_static_extension's)")
        elif name in sources:
            notes.append(f"{path}: uses the Python module {name} shipped beside it")
        elif name.endswith("__mypyc"):
            notes.append(f"{path}: mypyc runtime, needed only by compiled modules, which have Python twins")
        else:
            unresolved[name] = path
    if not unresolved:
        return notes, [], []
    edges = {m: imports_of(src, m, pkg) for m, (src, pkg) in sources.items()}
    # Modules whose import fails without the .so files: the natives, then every module that
    # imports a failing one outside try/except ImportError.
    failing = set(unresolved)
    changed = True
    while changed:
        changed = False
        for module, found in edges.items():
            if module not in failing and any(not guarded and target in failing for target, guarded in found):
                failing.add(module)
                changed = True
    # A public top-level module that fails is the package itself failing; private ones
    # (PyYAML's `_yaml` shim) are internal.
    tops = {m for m in sources if "." not in m and not m.startswith("_")}
    broken = sorted(failing & tops)
    if broken:
        return notes, [unresolved[n] for n in sorted(unresolved)], broken
    left_out = sorted(failing)
    notes.append(
        "left out " + ", ".join(unresolved[n] for n in sorted(unresolved)) + "; not importable in the binary: "
        + ", ".join(left_out) + " (the package imports them only inside try/except ImportError and falls back to pure Python)"
    )
    return notes, [], []
