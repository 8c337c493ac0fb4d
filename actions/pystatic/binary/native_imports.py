"""Standard library modules that embedded shared objects may import from C.

An extension module imports by a name in its read-only data (`PyImport_ImportModule("uuid")`,
Cython's string table, PyO3's `py.import("decimal")`), which the import scan of Python sources never
sees; with stdlib = "imported" such a module would be left out and the extension, which often does
not check the result, would crash (orjson: `uuid`, `dataclasses`, `decimal`). So every identifier
token of a shared object's bytes that names a standard library module (or whose first part does:
`datetime.datetime_CAPI`) is a root of the stdlib selection, and so is every top-level module name of
four characters or more that ends where an identifier could not go on: Rust packs string literals
together without separators (orjson's `...JSONDecodeErrorjson`). Conservative: modules whose names
merely occur ride along (a few hundred KB of bytecode); a missing one would crash the extension.
"""

import functools
import re

# A dotted identifier not preceded or followed by identifier characters.
_TOKEN = re.compile(rb"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?![A-Za-z0-9_])")


@functools.lru_cache(maxsize=4)
def _packed_names(stdlib_modules):
    """A pattern of the top-level names (4+ characters) followed by no identifier character."""
    names = sorted((n for n in stdlib_modules if "." not in n and len(n) >= 4), key=len, reverse=True)
    if not names:
        return None
    return re.compile(b"(" + b"|".join(re.escape(n.encode("ascii")) for n in names) + rb")(?![a-z0-9_])")


def stdlib_modules_named(contents, stdlib_modules):
    """Sorted names of `stdlib_modules` (a frozenset of dotted names: its pattern is compiled once
    for every object of a binary) that the bytes `contents` name."""
    packed = _packed_names(stdlib_modules)
    found = {m.decode("ascii") for m in packed.findall(contents)} if packed else set()
    for token in set(_TOKEN.findall(contents)):
        name = token.decode("ascii")
        parts = name.split(".")
        # The longest prefix that is a module: "datetime.datetime_CAPI" -> datetime, "os.path" -> os.path.
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in stdlib_modules:
                found.add(candidate)
                break
    return sorted(found)
