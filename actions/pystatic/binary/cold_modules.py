"""Cold modules: the app's modules that no import reaches from the entry point.

Their bytecode is stored zstd-compressed by default (payload class "cold_bytecode", the rule's
compress_cold_bytecode): plugins found by name at run time, parts of a package loaded on demand, what a
wheel carries that nothing imports. Modules the entry point reaches keep uncompressed bytecode, so the
start-up's imports unmarshal straight from the executable's pages as before. A cold module that is
imported after all (a computed name, an entry point, a C extension's import) still works: it is
decompressed at its first import.
"""

from pystatic.binary.stdlib_selection import followed_imports, parents


def reached_app_modules(app_imports, roots):
    """Names of the app modules (app_imports: {name: {"imports": [...], "weak": {...}}}) that the
    roots reach by their imports, functions' imports included, `if TYPE_CHECKING:` ones not; importing
    a submodule runs its packages too."""
    reached = set()
    pending = list(roots)
    while pending:
        name = pending.pop()
        for candidate in [name] + parents(name):
            if candidate in app_imports and candidate not in reached:
                reached.add(candidate)
                pending.extend(followed_imports(app_imports[candidate], candidate, stdlib=False))
    return reached


def cold_app_modules(app_imports, roots):
    """Sorted names of the app modules the roots do not reach (reached_app_modules)."""
    return sorted(set(app_imports) - reached_app_modules(app_imports, roots))
