"""Standard library modules that embedded shared objects may import from C.

An extension module imports by a name in its read-only data (`PyImport_ImportModule("uuid")`,
Cython's string table, PyO3's `py.import("decimal")`), which the import scan of Python sources never
sees; with stdlib = "imported" such a module would be left out and the extension, which often does
not check the result, would crash (orjson: `uuid`, `dataclasses`, `decimal`). So every identifier
token of a shared object's bytes that names a standard library module (or whose first part does:
Rust packs string literals together, `collections.abcSet...`) is a root of the stdlib selection.
Conservative: a few unused modules ride along (their names also appear in error messages).
"""

import re

# A dotted identifier not preceded or followed by identifier characters.
_TOKEN = re.compile(rb"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?![A-Za-z0-9_])")


def stdlib_modules_named(contents, stdlib_modules):
    """Sorted names of `stdlib_modules` (a set of dotted names) that the bytes `contents` name."""
    found = set()
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
