"""Decides what a wheel's C extensions mean for a static binary (validation action PyStaticWheel).

A static executable cannot load shared objects, so each native module of a wheel must be
  - a built-in module of the distribution (same name): the built-in is used;
  - shadowed by a Python module of the same name beside it (mypyc-style wheels): that is used;
  - optional: every import of it, or of a module that imports it unguarded, sits inside
    `try: ... except ImportError`, so no public top-level module fails to import
    (markupsafe's speedups, PyYAML's libyaml binding);
otherwise the build fails naming the package, the .so files and the options. What was left out
is said in the build log.
"""

import argparse
import ast
import json
import pathlib
import sys

from pystatic.binary.compile_bytecode import absolute_import_name
from pystatic.common import descriptor as distribution_descriptor
from pystatic.common.action_args import expand_param_files

IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def module_of(rel_path):
    """Dotted module name of a path relative to the import root (`a/b.cpython-313-x.so` -> a.b)."""
    parts = rel_path.split("/")
    stem = parts[-1].split(".", 1)[0]
    parts = parts[:-1] + ([] if stem == "__init__" else [stem])
    return ".".join(parts)


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


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("--package", required=True, help="name and version, for messages")
    parser.add_argument("--root", required=True, help="exec path of the wheel's import root")
    parser.add_argument("--src", action="append", default=[])
    parser.add_argument("--native", action="append", default=[])
    parser.add_argument("--descriptor", help="the distribution's descriptor JSON (built-in modules)")
    parser.add_argument("--built_in", action="append", default=[], help="module linked in with py_static_extension")
    parser.add_argument("--stamp", required=True)
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The union: the distribution's built-ins and the modules the user links in (built_in = [...]).
    builtins = set(args.built_in)
    if args.descriptor:
        builtins |= distribution_descriptor.load(args.descriptor).builtin_modules
    sources = {}
    for path in args.src:
        rel = pathlib.PurePosixPath(path).relative_to(args.root).as_posix()
        sources[module_of(rel)] = (pathlib.Path(path).read_text(encoding="utf-8", errors="replace"), rel.endswith("/__init__.py"))
    notes, natives, broken = analyse(sources, args.native, builtins)
    if broken:
        print(
            f"error: {args.target}: {args.package} needs C extensions a static binary cannot load: {', '.join(natives)}\n"
            f"  ({', '.join(broken)} cannot be imported without them, and no pure-Python fallback is guarded by "
            "try/except ImportError).\n"
            "  Fix: leave the package out (pystatic.wheels(exclude = [...]) and drop the dependency), use a pure-Python\n"
            "  alternative, or build the extension from its sdist as a built-in: pystatic.wheels(sdists = [...],\n"
            f"  built_in = [{', '.join(repr(module_of(n)) for n in natives)}]) and a py_static_extension in the binary's deps (docs/wheels.md).",
            file=sys.stderr,
        )
        return 1
    for note in notes:
        print(f"note: {args.target}: {args.package}: {note}", file=sys.stderr)
    pathlib.Path(args.stamp).write_text("".join(n + "\n" for n in notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
