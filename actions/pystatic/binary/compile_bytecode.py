"""Compiles Python sources to bytecode and packs them, with their data files, into a resource blob.

Runs under the build-machine CPython of the TARGET's version (the distribution's own interpreter),
because marshalled code objects are only valid for the version that wrote them. Deterministic:
inputs sorted, no timestamps, PYTHONHASHSEED=0 set by the action (frozenset constants).

Two inputs, either or both:
  --manifest M   a resource manifest (actions/pystatic/binary/resource_manifest.py): first-party code
  --stdlib DIR   a standard library tree: every module inside a package chain, and its data files
Besides the blob it writes an imports file: for each module, the absolute module names its source
imports, found in its AST (the pack step follows them to select the stdlib), which of them only
functions import (the pack step compresses the bytecode start-up does not import), and the names it
defines at top level (the pack step checks an entry point's function against them).
"""

import argparse
import ast
import dis
import importlib.util
import json
import os
import sys

from pystatic.common.action_args import expand_param_files
from pystatic.format.blob import DATA, METADATA, MODULE, Entry, write_blob
from pystatic.modules.libc_by_name import loads_libc_by_name
from pystatic.modules.names import absolute_import_name


class CompileError(Exception):
    """A source that does not compile; the message names the file."""


def stdlib_resources(stdlib_dir):
    """[(kind, name, path)] of a stdlib tree: top-level modules, packages, their modules and data.

    A directory inside a package that is no package itself (venv/scripts, ensurepip/_bundled) holds
    that package's data, every file of it; a top-level one (site-packages, lib-dynload) nothing.
    """
    resources = []
    data_dirs = set()
    for dirpath, dirnames, filenames in os.walk(stdlib_dir):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        rel_dir = os.path.relpath(dirpath, stdlib_dir)
        parts = [] if rel_dir == "." else rel_dir.split(os.sep)
        if parts and not (
            os.path.isfile(os.path.join(dirpath, "__init__.py")) and all(p.isidentifier() for p in parts)
        ) or os.path.dirname(dirpath) in data_dirs:
            if len(parts) == 1:
                dirnames[:] = []  # not a package (site-packages, lib-dynload): nothing below is importable
                continue
            data_dirs.add(dirpath)
            resources += [("data", "/".join(parts + [f]), os.path.join(dirpath, f))
                          for f in sorted(filenames) if not f.endswith((".pyc", ".pyo"))]
            continue
        for filename in sorted(filenames):
            path = os.path.join(dirpath, filename)
            if filename.endswith(".py"):
                stem = filename[:-3]
                if not stem.isidentifier() and stem != "__init__":
                    continue
                if stem == "__init__":
                    resources.append(("package", ".".join(parts), path))
                else:
                    resources.append(("module", ".".join(parts + [stem]), path))
            elif parts and not filename.endswith((".pyc", ".pyo")):
                resources.append(("data", "/".join(parts + [filename]), path))
    return resources


def replace_modules(resources, replacements):
    """resources with the module (not package) of each (name, path) in replacements read from path."""
    by_name = {name: path for name, path in replacements}
    found = {name for kind, name, _ in resources if kind == "module" and name in by_name}
    missing = sorted(set(by_name) - found)
    if missing:
        raise CompileError(f"--replace names no module of the standard library: {', '.join(missing)}")
    return [(kind, name, by_name[name] if kind == "module" and name in by_name else path) for kind, name, path in resources]


def manifest_resources(manifest_path):
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    return [(r["kind"], r["name"], r["path"]) for r in manifest["resources"]]


def _is_main_guard(node):
    """`if __name__ == "__main__":` -- code that runs only when the module is the program."""
    test = node.test
    return (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
        and {ast.dump(test.left), ast.dump(test.comparators[0])}
        == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}
    )


def _is_type_checking(node):
    """`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:` -- never true at run time."""
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _catches_import_error(handler):
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names)


def _command_line_functions(tree):
    """Top-level functions called only from the `if __name__ == "__main__":` block (a module's
    command line: pickle's `_test`, ast's `main`): nothing else in the module names them."""
    called, named = set(), set()
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_guard(node):
            called.update(n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name))
        else:
            named.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return [
        node for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in called - named
    ]


def _import_names(node, module, is_package):
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    target = absolute_import_name(node.module or "", node.level, module, is_package)
    if not target:
        return set()
    return {target} | {f"{target}.{alias.name}" for alias in node.names if alias.name != "*"}


def _dynamic_import(node):
    """For `importlib.import_module(x)` / `import_module(x)` / `__import__(x)`: the module name if x is
    a constant absolute name, else "" (a computed name); None for any other call."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str) and is_dotted(first.value):
        return first.value
    return ""


def is_dotted(name):
    return all(part.isidentifier() for part in name.split("."))


def _called_on_import(tree):
    """Names called at module level, outside functions and the `__main__` block (`_setup()`,
    `register(...)`): a top-level function of that name runs when the module is imported."""
    called = set()
    pending = [n for n in tree.body if not (isinstance(n, ast.If) and _is_main_guard(n))]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        pending.extend(ast.iter_child_nodes(node))
    return called


def scan_imports(tree, module, is_package):
    """(sorted absolute module names the module may import, {name: why it is weak},
    {name: [functions]} of the names imported only inside functions).

    `from a import b` gives a and a.b. Every import statement counts, also inside functions
    (imported lazily, still needed), except under `if __name__ == "__main__":`, which never runs on
    import (e.g. heapq's doctest run). An import is weak when every statement that names it is
    under `if TYPE_CHECKING:` ("type_checking"), in the body of a `try:` that catches ImportError
    ("optional": the module copes without it) or in a function only the `__main__` block calls
    ("command_line"); pack_blob.py decides which weak imports to follow. `importlib.import_module`
    and `__import__` of a constant name count as imports; of a computed name, as the name "*"
    (pack_blob.py says that stdlib_include may be needed). A name is deferred when every statement
    that names it is in the body of a function (the outermost one's qualified name is listed) that
    the module does not call on import: importing the module does not import it
    (cold_modules.start_up_modules).
    """
    command_line = _command_line_functions(tree)
    on_import = _called_on_import(tree)
    strong, weak, eager, deferred = set(), {}, set(), {}
    # (node, why it is weak or None, outermost function's qualified name or None, enclosing classes)
    pending = [(tree, None, None, ())]
    while pending:
        node, why, function, classes = pending.pop()
        if isinstance(node, ast.If) and _is_main_guard(node):
            pending.extend((child, why, function, classes) for child in node.orelse)
            continue
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend((child, why or "type_checking", function, classes) for child in node.body)
            pending.extend((child, why, function, classes) for child in node.orelse)
            continue
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))) and any(map(_catches_import_error, node.handlers)):
            pending.extend((child, why or "optional", function, classes) for child in node.body)
            pending.extend((child, why, function, classes) for child in node.handlers + node.orelse + node.finalbody)
            continue
        if any(node is f for f in command_line) and why is None:
            pending.extend((child, "command_line", node.name, classes) for child in ast.iter_child_nodes(node))
            continue
        if function is None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            # Decorators, defaults and annotations run on import; the body when the function is called.
            name = ".".join(classes + (getattr(node, "name", "<lambda>"),))
            runs = not classes and name in on_import
            body = node.body if isinstance(node.body, list) else [node.body]
            pending.extend((child, why, None if runs else name, classes) for child in body)
            pending.extend((child, why, None, classes) for child in ast.iter_child_nodes(node) if child not in body)
            continue
        dynamic = _dynamic_import(node) if isinstance(node, ast.Call) else None
        if isinstance(node, (ast.Import, ast.ImportFrom)) or dynamic is not None:
            names = _import_names(node, module, is_package) if dynamic is None else {dynamic or "*"}
            if why is None:
                strong.update(names)
            else:
                for name in names:
                    weak.setdefault(name, why)
            for name in names:
                if function is None:
                    eager.add(name)
                else:
                    deferred.setdefault(name, set()).add(function)
        inner = classes + (node.name,) if isinstance(node, ast.ClassDef) and function is None else classes
        pending.extend((child, why, function, inner) for child in ast.iter_child_nodes(node))
    weak = {name: why for name, why in weak.items() if name not in strong}
    deferred = {name: sorted(functions) for name, functions in sorted(deferred.items()) if name not in eager}
    return sorted(strong | set(weak)), dict(sorted(weak.items())), deferred


def imports_of(tree, module, is_package):
    """Sorted absolute module names the module may import (scan_imports, weak ones included)."""
    return scan_imports(tree, module, is_package)[0]


def top_level_names(code):
    """Names bound at module level (def, class, assignment, import)."""
    return sorted({i.argval for i in dis.get_instructions(code) if i.opname in ("STORE_NAME", "STORE_GLOBAL")})


def parse_source(source, virtual_path):
    try:
        return ast.parse(source, virtual_path)
    except (SyntaxError, ValueError) as err:
        raise CompileError(f"{virtual_path}: does not compile with Python {sys.version.split()[0]}: {err}") from None


def compile_source(source, virtual_path, optimize, tree=None):
    tree = parse_source(source, virtual_path) if tree is None else tree
    try:
        return compile(tree, virtual_path, "exec", dont_inherit=True, optimize=optimize)
    except (SyntaxError, ValueError) as err:
        raise CompileError(f"{virtual_path}: does not compile with Python {sys.version.split()[0]}: {err}") from None


def compile_resources(resources, optimize, with_sources=True):
    """(entries, imports) for [(kind, name, path)]; kind is module, package or data."""
    import marshal

    entries, imports = [], {}
    for kind, name, path in sorted(resources, key=lambda r: (r[0] == "data", r[1])):
        with open(path, "rb") as f:
            content = f.read()
        if kind == "data":
            # <name>-<version>.dist-info/...: distribution metadata (importlib.metadata), not package data.
            is_metadata = name.split("/", 1)[0].endswith(".dist-info") and "/" in name
            entries.append(Entry(METADATA if is_metadata else DATA, name, primary=content))
            continue
        is_package = kind == "package"
        virtual_path = name.replace(".", "/") + ("/__init__.py" if is_package else ".py")
        tree = parse_source(content, virtual_path)
        code = compile_source(content, virtual_path, optimize, tree)
        entries.append(
            Entry(MODULE, name, primary=marshal.dumps(code), source=content if with_sources else None, is_package=is_package)
        )
        names, weak, deferred = scan_imports(tree, name, is_package)
        imports[name] = {"imports": names, "weak": weak, "defines": top_level_names(code), "path": path}
        if deferred:
            imports[name]["deferred"] = deferred
        if loads_libc_by_name(tree):
            imports[name]["libc_by_name"] = True  # native_exports.py then exports the C library whole
    return entries, imports


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", action="append", default=[], help="resource manifest JSON")
    parser.add_argument("--stdlib", help="standard library directory")
    parser.add_argument("--module", action="append", default=[], nargs=2, metavar=("NAME", "PATH"), help="one more module")
    parser.add_argument("--replace", action="append", default=[], nargs=2, metavar=("NAME", "PATH"),
                        help="a stdlib module to compile from PATH instead")
    parser.add_argument("--optimize", type=int, choices=(0, 1, 2), default=0)
    parser.add_argument("--output", required=True, help="output blob")
    parser.add_argument("--imports", required=True, help="output imports JSON")
    args = parser.parse_args(expand_param_files(sys.argv[1:] if argv is None else argv))

    resources = []
    if args.stdlib:
        resources += stdlib_resources(args.stdlib)
    for manifest in args.manifest:
        resources += manifest_resources(manifest)
    resources += [("module", name, path) for name, path in args.module]
    try:
        resources = replace_modules(resources, args.replace)
        entries, imports = compile_resources(resources, args.optimize)
    except (CompileError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    with open(args.output, "wb") as out:
        out.write(write_blob(entries, bytecode_magic=importlib.util.MAGIC_NUMBER))
    with open(args.imports, "w", encoding="utf-8") as out:
        json.dump({"python_version": sys.version.split()[0], "optimize": args.optimize, "modules": imports}, out, indent=0, sort_keys=True)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
