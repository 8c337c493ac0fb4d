"""Module names and native files: one definition for every phase."""

# Files the dynamic loaders of Linux, Windows and macOS load; `.so.N` versions count too.
NATIVE_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


def is_native_file(path):
    """True for a shared object or DLL (`_ext.cpython-313-x86_64-linux-musl.so`, `libz.so.1`)."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(NATIVE_SUFFIXES) or ".so." in name


def python_source_name(rel_path):
    """(kind, dotted name) of a `.py` path relative to its import root, or None if no import names it.

    `pkg/__init__.py` -> ("package", "pkg"); `pkg/mod.py` -> ("module", "pkg.mod"). Directories
    must be identifiers; a file's stem need only lack dots and spaces: importlib.import_module loads
    `pkg.unicode10-0-0` (rich ships such tables). None for `mypyc/lib-rt/build_setup.py` (a hyphen
    in a directory) or `a.b.py`: installed, such a file is only a file.
    """
    parts = rel_path.split("/")
    stem = parts[-1][: -len(".py")]
    dotted = parts[:-1] if stem == "__init__" else parts[:-1] + [stem]
    stem_ok = stem == "__init__" or (stem and "." not in stem and " " not in stem)
    if not rel_path.endswith(".py") or not dotted or not stem_ok or not all(p.isidentifier() for p in parts[:-1]):
        return None
    return ("package" if stem == "__init__" else "module"), ".".join(dotted)


def module_of(rel_path):
    """Dotted module name of a path relative to its import root.

    `a/b.cpython-313-x86_64-linux-musl.so` -> a.b, `a/b.py` -> a.b, `a/__init__.py` -> a
    (a compiled package `__init__`, as Cython makes, names its package too).
    """
    parts = rel_path.split("/")
    stem = parts[-1].split(".", 1)[0]
    parts = parts[:-1] + ([] if stem == "__init__" else [stem])
    return ".".join(parts)


def absolute_import_name(name, level, module, is_package):
    """The absolute module `from <level dots><name> import ...` names in `module`, or None."""
    if level == 0:
        return name
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(parts) or (level - 1 == len(parts) and not name):
        return None  # beyond the top-level package: an ImportError at run time, not ours to follow
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([name] if name else []))
