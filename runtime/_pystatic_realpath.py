"""os.path.realpath for paths below the executable: the importer patches posixpath and ntpath (os.path
on Windows, where realpath asks _getfinalpathname) when they are imported (_pystatic_paths.patching_loader
calls patch below), as it patches zipfile (_pystatic_zip.py).

realpath(strict=True) (and strict=os.path.ALLOW_MISSING) refuses a path whose components before the
last are not directories, and to the kernel the executable is a regular file: every path of the
tree failed with ENOTDIR (`Path(dist.files[0].locate()).resolve(strict=True)`: cmake's package
finds its programs so). Below the executable, the path resolves as with strict=False (the tree has
no symbolic links, and the part above the executable resolves as before), and the strict modes ask
the file view what python3 would ask the disk: whether the path exists, and else whether a file of
the tree stands where a directory should.
"""

import errno
import sys

ALLOW_MISSING = object()  # no caller passes it: posixpath before 3.13.4 has no ALLOW_MISSING of its own


def _missing(path, exists, isfile, dirname):
    """The error strict realpath raises for a missing path: ENOTDIR if a file is on the way."""
    parent = dirname(path)
    while parent and parent != path and not exists(parent):
        path, parent = parent, dirname(parent)
    if parent and isfile(parent):
        return NotADirectoryError(errno.ENOTDIR, "Not a directory", path)
    return FileNotFoundError(errno.ENOENT, "No such file or directory", path)


def patch(module):
    original = module.realpath
    allow_missing = getattr(module, "ALLOW_MISSING", ALLOW_MISSING)

    def realpath(filename, *, strict=False):
        if strict is False:
            return original(filename)
        resolved = original(filename, strict=False)
        if __import__("_pystatic_files")._key(resolved) is None:
            return original(filename, strict=strict)  # outside the tree: python3's answer and errors
        if strict is allow_missing or module.exists(resolved):
            return resolved
        text = resolved if isinstance(resolved, str) else resolved.decode(sys.getfilesystemencoding(), "surrogateescape")
        raise _missing(text, module.exists, module.isfile, module.dirname)

    realpath.__wrapped__ = original
    realpath.__doc__ = original.__doc__
    module.realpath = realpath
