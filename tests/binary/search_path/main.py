"""tests/integration/test_binary.py: modules found through a search path into the executable's
tree (a directory of it on sys.path) load their embedded bytecode under the name they are imported as."""

import ctypes
import ctypes.util
import importlib.resources
import inspect
import json
import pkgutil
import sys
import traceback

import datans  # a directory of data files only: a namespace package, as from disk
import tooling
import vendoring  # noqa: F401 (puts its directory on sys.path)
import inner
import inner.mod
import selfinit
import selfinit.api

try:
    inner.mod.fails()
except ValueError:
    last = traceback.extract_tb(sys.exc_info()[2])[-1]

print(json.dumps({
    "value": inner.VALUE,
    "args": sys.argv[1:],
    "file": inner.mod.__file__[len(sys.executable):],
    "package_path": [p[len(sys.executable):] for p in inner.__path__],
    "loader": type(inner.mod.__loader__).__name__,
    "source": inspect.getsource(inner.mod.double).splitlines()[0],
    "traceback": [last.filename[len(sys.executable):], last.line],
    "iter_modules": sorted(m.name for m in pkgutil.iter_modules(vendoring.__path__)),
    "path_entry_finder": type(sys.path_importer_cache[vendoring.__path__[0]]).__name__,
    "namespace": [[p[len(sys.executable):] for p in datans.__path__], datans.__spec__.origin, datans.__file__],
    "namespace_data": importlib.resources.files("datans").joinpath("notes.txt").read_text().strip(),
    # The C library called by name through ctypes (ansible's display): exported whole for this module.
    "libc_by_name": ctypes.CDLL(ctypes.util.find_library("c")).wcwidth(0x597D),
    # `from .__init__ import test`: as from disk, `selfinit.__init__` is a module of its own, not a package.
    "init_by_name": [selfinit.api.test(), sys.modules["selfinit.__init__"].__file__[len(sys.executable):],
                     hasattr(sys.modules["selfinit.__init__"], "__path__"), sys.modules["selfinit.__init__"] is selfinit],
    "unimportable_source": importlib.resources.files("tooling").joinpath("lib-rt/build_setup.py").read_text().splitlines()[-1],
}))
