"""Cold modules: the modules, the standard library's and the app's, that start-up does not import.

Their bytecode is stored zstd-compressed by default (payload class "cold_bytecode", the rule's
compress_cold_bytecode): what only a function imports when it is called (a command's implementation,
an error path, `pydoc` of `help()`), plugins found by name at run time, parts of a package loaded on
demand, what a wheel carries that nothing imports. The modules that start-up imports keep
uncompressed bytecode, so they unmarshal straight from the executable's pages as before. A cold module
that is imported after all still works: it is decompressed at its first import (zstd: about 1 GB/s).

What start-up imports is followed from the roots through the imports that run when a module is
imported: those at module level, in class bodies and in the functions the module calls while it is
imported (compile_bytecode.scan_imports), not those only inside other functions ("deferred"), nor
those under `if TYPE_CHECKING:` or only from a `__main__` block. The entry point's own module is the
exception: its function runs at start-up, so all its imports are followed.
"""

from pystatic.binary.stdlib_selection import import_closure, parents

# What the interpreter and the runtime import on every start (`-X importtime` of a py_static_interpreter
# at `-c pass`): the runtime's bootstrap, the codecs package and the UTF-8 codec (looked up by name),
# linecache (CPython 3.13's main registers the program's source lines there), `site` for an
# interpreter (a binary leaves it out) and what a binary given arguments imports to read them.
START_UP_MODULES = ["_pystatic_bootstrap", "_pystatic_command_line", "_pystatic_files", "_pystatic_tree", "encodings",
                    "encodings.utf_8", "linecache", "site"]
# The runtime's modules that patch a module when it is imported (_pystatic_bootstrap._PATCHED, through
# _pystatic_paths.patching_loader): hot with it.
PATCHED_ON_IMPORT = {"posixpath": ["_pystatic_paths", "_pystatic_realpath"], "ntpath": ["_pystatic_paths", "_pystatic_realpath"],
                     "zipfile": ["_pystatic_paths", "_pystatic_zip"]}
# Weak imports (compile_bytecode.scan_imports) that never run while a module is imported.
NOT_ON_IMPORT = {"type_checking", "command_line"}


def imports_on_import(info, all_of_them=False):
    """The imports of one module (info: {"imports", "weak", "deferred"}) that importing it runs; with
    `all_of_them`, those of its functions too (the entry point's module, whose function runs)."""
    weak, deferred = info.get("weak", {}), info.get("deferred", {})
    return [i for i in info["imports"] if weak.get(i) not in NOT_ON_IMPORT and (all_of_them or i not in deferred)]


def vendored_packages(modules):
    """{top-level name: the one embedded package that ends with it} for the names no module has: a
    package that puts its own directory on a search path imports what it vendors there by the
    top-level name (awscli 1.x: `import botocore` is the embedded `awscli.botocore`,
    docs/import-protocol.md, Directories of the tree on a search path)."""
    packages = {parent for name in modules for parent in parents(name)}
    found = {}
    for package in packages:
        last = package.rpartition(".")[2]
        if "." in package and last not in modules:
            found.setdefault(last, []).append(package)
    return {last: candidates[0] for last, candidates in found.items() if len(candidates) == 1}


def start_up_modules(modules, roots, entry_module=None):
    """Names of `modules` ({name: imports info}, the stdlib's and the app's) that importing `roots`
    imports (imports_on_import); importing a submodule runs its packages too. An import of a name no
    module has is followed into the package that vendors it (vendored_packages)."""
    vendored = vendored_packages(modules)

    def resolved(name):
        top, dot, rest = name.partition(".")
        return vendored[top] + dot + rest if name not in modules and top in vendored else name

    def imports_of(name):
        if name not in modules:
            return None
        return [resolved(i) for i in imports_on_import(modules[name], all_of_them=name == entry_module)]

    closure = import_closure(map(resolved, roots), imports_of)
    patches = [patch for name, patches in PATCHED_ON_IMPORT.items() if name in closure for patch in patches]
    return closure | import_closure(patches, imports_of) if patches else closure


def cold_modules(modules, embedded, roots, entry_module=None):
    """Sorted names of the `embedded` modules that start-up does not import (start_up_modules)."""
    return sorted(set(embedded) - start_up_modules(modules, list(roots) + START_UP_MODULES, entry_module))
