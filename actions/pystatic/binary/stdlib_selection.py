"""Which standard library modules and built-in modules a binary embeds (pack_blob.py).

stdlib = "all": every module. stdlib = "imported": what the app's code imports, followed transitively
over the stdlib's own imports (compile_bytecode.py's imports files), plus what the runtime needs, plus
includes minus excludes; the built-ins nothing embedded imports are left out of the inittab.
"""

# Modules the runtime itself needs besides what the app imports: its importer and what prints a
# traceback with source lines.
RUNTIME_MODULES = [
    "_pystatic_bootstrap", "_pystatic_command_line", "_pystatic_extract", "_pystatic_files", "_pystatic_musllinux", "_pystatic_paths",
    "_pystatic_python_flags", "_pystatic_realpath", "_pystatic_resources", "_pystatic_tree", "_pystatic_zip", "traceback", "linecache",
]
# Whole packages: codecs are imported by name at run time (`encodings.utf_8`), invisible to the
# import scan.
RUNTIME_PACKAGES = ["encodings"]
# The codecs of RUNTIME_PACKAGES that import this built-in (the CJK codecs: _multibytecodec and the
# _codecs_cn/hk/iso2022/jp/kr/tw tables, 0.85 MB of hello) are embedded with stdlib = "imported"
# only when stdlib_include names them; a lookup of one left out raises LookupError naming the fix.
CODECS_ONLY_IF_NAMED = "_multibytecodec"
# Imports by a computed name, invisible to the import scan: {importing module: prefix of the
# stdlib modules it may import}. sysconfig imports _sysconfigdata_<abiflags>_<platform>_<multiarch>.
DYNAMIC_IMPORTS = {"sysconfig": "_sysconfigdata_"}


# Imports inside stdlib functions that are reached only when the program already uses what they
# import (or on an error path that a complete distribution never takes): stdlib = "imported" does not
# follow them. {importing module: {imported module or package: why}}. Everything else a stdlib module
# imports is followed, also inside functions and under `try: ... except ImportError` (http.client's ssl,
# shutil's bz2 and lzma are features, not fallbacks); only `if TYPE_CHECKING:` and functions called
# only from the `__main__` block (compile_bytecode.scan_imports) are not.
LAZY_IMPORTS = {
    "warnings": {"tracemalloc": "the allocation traceback of a warning, printed only while tracemalloc traces"},
    "importlib._bootstrap_external": {
        "importlib.metadata": "PathFinder.find_distributions, called by importlib.metadata",
        "importlib.readers": "get_resource_reader, called by importlib.resources",
    },
    "hashlib": {"logging": "logs an algorithm that failed to load (every algorithm of the distribution loads)"},
}
# Weak imports (compile_bytecode.scan_imports) that stdlib = "imported" does not follow.
NOT_FOLLOWED = {"type_checking", "command_line"}


def followed_imports(info, module, stdlib):
    """The imports of one module that the closure follows: stdlib modules drop LAZY_IMPORTS and
    NOT_FOLLOWED weak imports; the app's own modules drop only `if TYPE_CHECKING:` imports."""
    weak = info.get("weak", {})
    skip = NOT_FOLLOWED if stdlib else {"type_checking"}
    lazy = LAZY_IMPORTS.get(module, {}) if stdlib else {}
    return [i for i in info["imports"] if weak.get(i) not in skip and not matches(i, lazy)]


# Built-in modules every binary keeps (those its distribution has): CPython's own start-up and
# finalisation import them from C (Modules/Setup.bootstrap.in and the core entries of config.c), the
# file view uses fcntl; on Windows nt is os's, and importlib._bootstrap_external's _setup imports winreg.
CORE_BUILTINS = {"nt", "winreg",
    "atexit", "faulthandler", "posix", "_signal", "_tracemalloc", "_suggestions", "_codecs", "_collections",
    "errno", "_io", "itertools", "_sre", "_sysconfig", "_thread", "time", "_typing", "_weakref", "_abc",
    "_functools", "_locale", "_operator", "_stat", "_symtable", "pwd", "marshal", "_imp", "_ast", "_tokenize",
    "builtins", "sys", "gc", "_warnings", "_string", "fcntl",
}
# Built-ins that other built-ins import from C (PyCapsule_Import, PyImport_ImportModule).
BUILTIN_IMPORTS = {"_ssl": ["_socket"], "_elementtree": ["pyexpat"], "_datetime": ["time"], "_curses_panel": ["_curses"]}
# What extract_packages (runtime/_pystatic_extract.py) imports by name at run time.
EXTRACT_MODULES = ["pathlib", "shutil", "tempfile"]


class SelectionError(Exception):
    """stdlib_include names no standard library module."""


def matches(name, prefixes):
    """`name` is one of `prefixes` or inside one of them (a package)."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def runtime_packages(stdlib_imports, stdlib_include):
    """(modules of RUNTIME_PACKAGES to embed, codecs left out): every module of the packages but
    the codecs that import CODECS_ONLY_IF_NAMED, unless stdlib_include names them (or their package)."""
    keep, left_out = [], []
    for name in sorted(stdlib_imports):
        if not matches(name, RUNTIME_PACKAGES):
            continue
        if CODECS_ONLY_IF_NAMED in stdlib_imports[name]["imports"] and not matches(name, stdlib_include):
            left_out.append(name)
        else:
            keep.append(name)
    return keep, left_out


def parents(name):
    """The packages an import of `name` runs first: a.b.c -> [a, a.b]."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def select_stdlib(stdlib_imports, roots, mode, include, exclude):
    """Names of the stdlib modules to ship.

    mode "all": every stdlib module. mode "imported": the closure of `roots` (module names, any
    origin) over the stdlib modules' own imports (followed_imports). `include` adds modules or whole packages (with
    their imports); `exclude` removes modules or packages and is not followed.
    """
    stdlib = set(stdlib_imports)
    unknown = [n for n in include if not any(matches(m, [n]) for m in stdlib)]
    if unknown:
        raise SelectionError(f"stdlib_include names no standard library module: {', '.join(unknown)}")
    if mode == "all":
        return sorted(m for m in stdlib if not matches(m, exclude))
    dynamic = {importer: [m for m in stdlib if m.startswith(prefix)] for importer, prefix in DYNAMIC_IMPORTS.items()}

    def imports_of(name):
        if name not in stdlib or matches(name, exclude):
            return None
        return followed_imports(stdlib_imports[name], name, stdlib=True) + dynamic.get(name, [])

    return sorted(import_closure(list(roots) + [m for m in stdlib if matches(m, include)], imports_of))


def import_closure(roots, imports_of):
    """The module names reached from `roots`. `imports_of(name)`: the names importing that module
    imports, or None when `name` is no module to take; importing a submodule runs its packages too."""
    reached = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        for candidate in [name] + parents(name):
            if candidate not in reached:
                imports = imports_of(candidate)
                if imports is not None:
                    reached.add(candidate)
                    pending.extend(imports)
    return reached




def builtins_left_out(builtins, imported):
    """The distribution's built-in modules that nothing embedded imports (stdlib = "imported"):
    left out of the inittab, so the linker drops them and the libraries only they use (OpenSSL for
    _ssl and _hashlib, SQLite, libmpdec, ...)."""
    kept = {name for name in builtins if name in CORE_BUILTINS or name in imported}
    pending = list(kept)
    while pending:
        for dependency in BUILTIN_IMPORTS.get(pending.pop(), []):
            if dependency not in kept:
                kept.add(dependency)
                pending.append(dependency)
    return sorted(set(builtins) - kept)

