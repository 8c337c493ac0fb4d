"""Finds, at build time, module code that reads files next to its own `__file__`.

In a py_static_binary such paths lie below the executable: Python's file APIs reach them through
the read-only file view (runtime/_pystatic_files.py), and so does the C code of embedded wheels
(runtime/native_files.c); the executable's own C code (sqlite3, ssl, a shell, exec) and the kernel (`os.chdir`, a
subprocess's `cwd=`) do not. For each embedded package
the pack step prints one note: what reads files by path, and whether the view covers it or the
package belongs in `extract_packages` (docs/import-protocol.md, "Files inside the binary").

The analysis is per module and flow-insensitive: a name assigned from an expression that mentions
`__file__`, `__path__` or `__spec__.origin` (or from another such name) carries a path of the
package; a call that receives one is a use. Calls into C code that opens the path itself need a
real file; `pkg_resources.resource_filename` always does.
"""

import ast

# Called with a package path, these hand it to C code (a library, a shell, the kernel's exec, OpenSSL,
# SQLite). A subprocess with the path as a whole argument (subprocess.run([sys.executable, script])) is
# served: the runtime gives the new process a copy on disk (_pystatic_extract.spawn); a shell command
# string and os.exec*/posix_spawn are not.
C_CONSUMERS = {
    "CDLL", "PyDLL", "LoadLibrary", "cdll.LoadLibrary", "ctypes.CDLL", "ctypes.PyDLL", "ctypes.cdll.LoadLibrary",
    "sqlite3.connect", "connect",
    "load_verify_locations", "load_cert_chain", "ssl.create_default_context", "create_default_context",
    "os.system", "os.popen", "os.execv", "os.execve", "os.execl", "os.spawnv", "os.posix_spawn",
    "dbm.open", "shelve.open",
    # The kernel changes into a directory: a directory of the tree is not one (ENOTDIR).
    "os.chdir", "chdir",
}
# A keyword argument that hands a directory to the kernel: subprocess's working directory.
C_KEYWORDS = {"cwd"}
# Return a real file name, which only extraction can give.
FILENAME_APIS = {"pkg_resources.resource_filename", "resource_filename"}
_PACKAGE_PATH_ATTRIBUTES = {"__file__", "__path__"}
# Calls that build a path (or a string) from a package path rather than use it.
_BUILDING = {
    "os.path.dirname", "os.path.join", "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.fspath",
    "dirname", "join", "abspath", "realpath", "normpath", "fspath", "str", "Path", "PurePath", "pathlib.Path",
    "joinpath", "with_name", "with_suffix", "resolve", "absolute", "relative_to", "replace", "rpartition",
    "partition", "split", "rsplit", "format", "rstrip", "strip", "endswith", "startswith",
}


class Use:
    """One place that uses a package path: `line` of `path`, the call, and whether C code gets it."""

    def __init__(self, path, line, call, needs_file):
        self.path, self.line, self.call, self.needs_file = path, line, call, needs_file

    def __repr__(self):
        return f"{self.path}:{self.line} {self.call}"


def _dotted(node):
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _mentions(node, tainted):
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and (child.id in _PACKAGE_PATH_ATTRIBUTES or child.id in tainted):
            return True
        if isinstance(child, ast.Attribute) and (
            child.attr in _PACKAGE_PATH_ATTRIBUTES or (child.attr == "origin" and _dotted(child.value) == "__spec__")
        ):
            return True
    return False


def _target_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Attribute):  # self.root = ...: later uses read self.root
        return [target.attr]
    return []


def _tainted_names(tree):
    """Names (and attribute names) that hold a package path, to a fixed point."""
    assignments = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            assignments.append((node.targets, node.value))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            assignments.append(([node.target], node.value))
        elif isinstance(node, ast.NamedExpr):
            assignments.append(([node.target], node.value))
    tainted = set()
    changed = True
    while changed:
        changed = False
        for targets, value in assignments:
            if _mentions(value, tainted):
                for name in (n for t in targets for n in _target_names(t)):
                    if name not in tainted:
                        tainted.add(name)
                        changed = True
    return tainted


def _mentions_with_attributes(node, tainted):
    if _mentions(node, tainted):
        return True
    return any(isinstance(child, ast.Attribute) and child.attr in tainted for child in ast.walk(node))


def _call_name(call):
    """(dotted name or method name, its last part) of a call."""
    name = _dotted(call.func) or (call.func.attr if isinstance(call.func, ast.Attribute) else "?")
    return name, name.rpartition(".")[2]


def uses(source, path):
    """The package-path uses in one module's source (empty if it does not parse)."""
    try:
        tree = ast.parse(source, path)
    except (SyntaxError, ValueError):
        return []
    tainted = _tainted_names(tree)
    found = []
    calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    for node in calls:
        name, short = _call_name(node)
        if name in FILENAME_APIS or short in FILENAME_APIS:
            found.append(Use(path, node.lineno, name, True))
            continue
        arguments = list(node.args) + [k.value for k in node.keywords]
        # A method of a path object (`Path(__file__).parent.read_text()`) uses it too.
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Call) and _call_name(receiver)[1] not in _BUILDING:
            receiver = None  # `open(path).read()`: the inner call is the use
        if not any(_mentions_with_attributes(a, tainted) for a in arguments + ([receiver] if receiver else [])):
            continue
        if name in _BUILDING or short in _BUILDING:
            continue
        needs_file = name in C_CONSUMERS or short in C_CONSUMERS
        for keyword in node.keywords:
            if keyword.arg in C_KEYWORDS and _mentions_with_attributes(keyword.value, tainted):
                name, needs_file = f"{name}({keyword.arg}=)", True
        found.append(Use(path, node.lineno, name, needs_file))
    return found


def _package_of(module, extract_packages):
    """The note a module belongs to: the extracted package it lies in (longest), else its top level."""
    inside = [p for p in extract_packages if module == p or module.startswith(p + ".")]
    return max(inside, key=len) if inside else module.split(".")[0]


def notes(modules, extract_packages):
    """One note per top-level or extracted package: `modules` maps module name -> (path, source text)."""
    by_package = {package: [] for package in extract_packages}
    for name in sorted(modules):
        path, source = modules[name]
        by_package.setdefault(_package_of(name, extract_packages), []).extend(uses(source, path))
    lines = []
    for package, found in sorted(by_package.items()):
        needs_file = [u for u in found if u.needs_file]
        examples = ", ".join(map(repr, (needs_file or found)[:3])) + (" ..." if len(needs_file or found) > 3 else "")
        if package in extract_packages:
            lines.append(f"{package}: {f'uses paths next to its modules ({examples}); ' if found else ''}extracted at run time (extract_packages)")
        elif not found:
            continue
        elif needs_file and package in modules and not modules[package][0].endswith("__init__.py"):
            lines.append(
                f"{package}: passes a path next to it to C code or the kernel ({examples}): below the executable "
                f"that is not a real file or directory, and a top-level module is not extracted. Fix: move it into "
                f"a package and set extract_packages, or give such code a path on disk (a working directory of "
                f"its own, files read with open)"
            )
        elif needs_file:
            lines.append(
                f"{package}: passes a path next to its modules to C code or the kernel ({examples}): the read-only file view cannot "
                f'serve it. Fix: extract_packages = ["{package}"]'
            )
        else:
            lines.append(f"{package}: reads files next to its modules ({examples}): served by the read-only file view")
    return lines
