"""The embedded tree: the blob's packages, data and metadata files as directories and files, for the
file view (runtime/_pystatic_files.py), importlib.resources (runtime/_pystatic_resources.py) and
extract_packages (runtime/_pystatic_extract.py). Keys are paths below the executable without a
leading "/" ("" is the root).

Directories are the embedded packages, namespace packages, data and `.dist-info` directories; files
are data files, metadata files and the sources of modules embedded with their source (`pkg/mod.py`,
`pkg/__init__.py`) - what importlib.resources sees.
"""

import _pystatic
import errno
import sys

_DATA, _METADATA, _MODULE = _pystatic.DATA, _pystatic.METADATA, _pystatic.MODULE
_PACKAGE, _HAS_SOURCE = _pystatic.PACKAGE, _pystatic.HAS_SOURCE
# The executable file itself (sys._stdlib_dir, main.c), for the paths of errors.
_ROOT = sys._stdlib_dir + "/"


def _dotted(key):
    """The module name a directory key would have (`pkg/sub` -> `pkg.sub`), or None."""
    return key.replace("/", ".") if key and "." not in key else None


def source_module(key):
    """The module whose source is the file `key` (`pkg/mod.py`, `pkg/__init__.py`), or None."""
    if not key.endswith(".py"):
        return None
    parts = key[: -len(".py")].split("/")
    is_init = parts[-1] == "__init__"
    if is_init:
        parts.pop()
    if not parts or any("." in part for part in parts):
        return None
    name = ".".join(parts)
    flags = _pystatic.find_module(name)
    if flags < 0 or not flags & _HAS_SOURCE or bool(flags & _PACKAGE) != is_init:
        return None
    return name


def file_entry(key):
    """(kind, entry) of the file `key`, kind one of DATA, METADATA, MODULE (its source), or None."""
    for kind in (_DATA, _METADATA):
        entry = _pystatic.entry(kind, key)
        if entry is not None:
            return kind, entry
    module = source_module(key)
    return None if module is None else (_MODULE, _pystatic.entry(_MODULE, module))


def file_size(key):
    """Size in bytes of the file `key` (a source's decompressed size), without reading it; None if it is none."""
    found = file_entry(key)
    return None if found is None else entry_size(found)


def entry_size(found):
    """Size in bytes of a file_entry() result: a module's source once decompressed, else the payload's."""
    kind, (_index, _flags, size, source_size) = found
    return source_size if kind == _MODULE else size


def is_file(key):
    return file_entry(key) is not None


def is_dir(key):
    if not key:
        return True
    if _pystatic.has_prefix(_DATA, key + "/") or _pystatic.has_prefix(_METADATA, key + "/"):
        return True
    dotted = _dotted(key)
    if dotted is None:
        return False
    flags = _pystatic.find_module(dotted)
    # find_module gives -1 (every bit set) for a name that is no module: test it first.
    return (flags >= 0 and flags & _PACKAGE != 0) or _pystatic.has_prefix(_MODULE, dotted + ".")


def children(key):
    """Sorted names in the directory `key` ("" is the root): one walk of the index in C, which skips
    each subdirectory's subtree (runtime/file_view.c)."""
    return _pystatic.tree_children(key)


def files_below(key):
    """Keys of every file below the directory `key` ("" is the root), recursively, in order."""
    for name in children(key):
        child = f"{key}/{name}" if key else name
        if is_file(child):
            yield child
        if is_dir(child):
            yield from files_below(child)


def read(key):
    """Contents of the file `key`; FileNotFoundError if it is none."""
    found = file_entry(key)
    if found is None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", _ROOT + key)
    kind, _ = found
    return _pystatic.get_source(source_module(key)) if kind == _MODULE else _pystatic.read(kind, key)
