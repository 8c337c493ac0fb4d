"""Directories of the embedded tree searched as path entries (`sys.path_hooks`).

importlib's PathFinder searches a package's `__path__` and `sys.path` entries. Inside a
py_static_binary those paths name directories of the embedded tree (`<executable>/pkg`): a package
that puts its own directory on a search path finds its modules there under other names (awscli
imports `botocore` from `<executable>/awscli/botocore/`, as it does from site-packages). Without
this finder, importlib's FileFinder would list the file view's directory and compile each module
from its embedded source at every start (or find nothing with include_sources = False); here the
module's embedded bytecode is loaded, under the name it is imported as. Installed by
_pystatic_bootstrap (the hook there); imported on the first such path. See docs/import-protocol.md.
"""

import sys

import _pystatic


def finder(importer, path):
    """The path entry finder of `path` (`<executable>/<key>`), or ImportError if the blob has no
    module below that directory: then the next path hook (FileFinder over the file view) decides."""
    key = path[len(importer.root) + 1 :]
    if sys.platform == "win32":
        key = key.replace("\\", "/")  # Windows' own separator, as the importer's __path__ entries have it
    key = key.strip("/")
    parts = key.split("/") if key else []
    if any(part in ("", ".", "..") or "." in part for part in parts):
        raise ImportError("not a directory of modules in the executable", path=path)
    prefix = ".".join(parts) + "." if parts else ""
    if not _pystatic.has_prefix(_pystatic.MODULE, prefix):
        raise ImportError("not a directory of modules in the executable", path=path)
    return TreeFinder(importer, path, prefix)


class TreeFinder:
    """Path entry finder of one directory of the embedded tree: `find_spec("x.y.name")` is the
    embedded module `<directory's dotted name>.name`, imported as `x.y.name`."""

    def __init__(self, importer, path, prefix):
        self._importer = importer
        self.path = path
        self._prefix = prefix

    def __repr__(self):
        return f"TreeFinder({self.path!r})"

    def find_spec(self, fullname, target=None):
        return self._importer.spec_of(fullname, self._prefix + fullname.rpartition(".")[2])

    def invalidate_caches(self):
        pass

    def iter_modules(self, prefix=""):
        """(name, is package) of the modules in this directory, for pkgutil.iter_modules."""
        seen = set()
        for name in _pystatic.names(_pystatic.MODULE, self._prefix):
            first, _, rest = name[len(self._prefix) :].partition(".")
            if first and first not in seen:
                seen.add(first)
                flags = _pystatic.find_module(self._prefix + first)
                yield prefix + first, bool(rest) or (flags >= 0 and bool(flags & _pystatic.PACKAGE))


class AliasLoader:
    """Loader of the embedded module `name` imported as `fullname`: the importer's loader methods,
    asked for `name` (linecache, inspect and pkgutil ask by the module's own name). Also the loader
    of `pkg.__init__` imported by that name (`is_package=False`): FileFinder finds `pkg/__init__.py`
    as a module of its own, not a package, in which the package's code runs again."""

    def __init__(self, importer, fullname, name, is_package=None):
        self._importer = importer
        self._fullname = fullname
        self._name = name
        self._is_package = is_package

    def __repr__(self):
        return f"<AliasLoader {self._fullname!r} = embedded {self._name!r}>"

    def _check(self, fullname):
        if fullname != self._fullname:
            raise ImportError(f"loader for {self._fullname!r} cannot handle {fullname!r}", name=fullname)
        return self._name

    def create_module(self, spec):
        return None

    # The spec's loader_state names the embedded module (runtime/blob.c).
    exec_module = _pystatic.exec_module

    def get_code(self, fullname):
        return self._importer.get_code(self._check(fullname))

    def get_source(self, fullname):
        return self._importer.get_source(self._check(fullname))

    def is_package(self, fullname):
        name = self._check(fullname)
        return self._importer.is_package(name) if self._is_package is None else self._is_package

    def get_filename(self, fullname):
        return self._importer.get_filename(self._check(fullname))

    def get_data(self, path):
        return self._importer.get_data(path)

    def get_resource_reader(self, fullname):
        return self._importer.get_resource_reader(self._check(fullname))


_patching_classes = {}


def patching_loader(importer_class, root, patcher):
    """The loader of a standard library module the file view patches once it has run (the importer
    asks when it is imported: _pystatic_bootstrap._PATCHED): the importer's, then `patcher.patch(module)`
    (runtime/_pystatic_zip.py: zipfile, runtime/_pystatic_realpath.py: posixpath, ntpath). One class
    for them all, made on the first (pathlib imports both posixpath and ntpath at start-up)."""
    cls = _patching_classes.get(importer_class)
    if cls is None:

        class PatchingLoader(importer_class):
            def exec_module(self, module):
                super().exec_module(module)
                __import__(self.patcher).patch(module)

        cls = _patching_classes[importer_class] = PatchingLoader
    loader = cls(root)
    loader.patcher = patcher
    return loader
