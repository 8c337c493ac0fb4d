"""rules_pystatic's importer: finds and loads modules from the resource blob linked into the executable.

Run by the C runtime (runtime/main.c) between the two phases of interpreter start-up, before the
standard library's first import; only built-in modules exist at that point. See
docs/import-protocol.md. Virtual paths are rooted at the executable, like a zipapp's:
`__file__` of `pkg.mod` is `<sys.executable>/pkg/mod.py`; nothing exists there on disk.
"""

import _imp
import _pystatic
import sys

import _frozen_importlib as _bootstrap  # importlib._bootstrap, frozen into the interpreter

_PACKAGE = _pystatic.PACKAGE
# Packages whose files are written to a cache directory on first import (extract_packages).
_EXTRACT = tuple(p for p in _pystatic.extract_packages.split(",") if p)
# Built-in modules of the distribution not linked into this binary (stdlib = "imported").
_LEFT_OUT = frozenset(_pystatic.left_out_builtins.split(",")) - {""}
# Standard library modules not embedded in this binary (stdlib = "imported"), as one string: a set
# of hundreds of names would cost every start-up; it is searched only when an import fails.
_LEFT_OUT_MODULES = "," + _pystatic.left_out_modules + ","
# Built-in modules: the importer is first on sys.meta_path, and leaves them to BuiltinImporter.
_BUILTINS = frozenset(sys.builtin_module_names)
# `__cached__` of a module: importlib's cache_from_source, as a suffix (`.cpython-313.pyc`), once.
_cache_suffix = None
# The separator of the paths the importer gives (__file__, __path__, co_filename, __cached__): the
# OS's own, as os.path.abspath spells them (`<exe>\pkg\mod.py` on Windows); the file view and the
# path hook take both forms.
_SEP = "\\" if sys.platform == "win32" else "/"


def _no_other_portion(name, parent_path):
    """The path finder of an embedded namespace package's _NamespacePath: no spec, so its path stays."""
    return None


def _cached(directory, stem):
    """What importlib's cache_from_source says for `<directory>/<stem>.py`, by concatenation."""
    global _cache_suffix
    if _cache_suffix is None:
        external = sys.modules.get("_frozen_importlib_external")
        if external is None or sys.pycache_prefix is not None:
            return None  # before the main phase, or a pycache prefix: importlib computes it
        # Its file name without the stem "x"; the directory part is "/__pycache__" or "__pycache__".
        _cache_suffix = external.cache_from_source(_SEP + "x.py").rpartition(_SEP)[2][1:]
    return directory + _SEP + "__pycache__" + _SEP + stem + _cache_suffix


class PyStaticImporter:
    """Meta-path finder and loader over the blob (modules, package data)."""

    def __init__(self, root):
        self.root = root

    def __repr__(self):
        return f"<PyStaticImporter {self.root!r}>"

    def _root_of(self, fullname):
        """The directory a module's paths start from: the executable, or where its package was extracted."""
        for package in _EXTRACT:
            if fullname == package or fullname.startswith(package + "."):
                return _import("_pystatic_extract").extract(package)
        return self.root

    def _path(self, fullname, is_package):
        base = self._root_of(fullname) + _SEP + fullname.replace(".", _SEP)
        return base + _SEP + "__init__.py" if is_package else base + ".py"

    def _flags(self, fullname):
        flags = _pystatic.find_module(fullname)
        if flags < 0:
            raise ImportError(f"no module named {fullname!r} in {self.root}", name=fullname)
        return flags

    def _extension_spec(self, fullname, stem, is_package):
        """A wheel's extension module embedded as a shared object (`pkg/_c.cpython-313-...so`; a
        package's `pkg/__init__.cpython-313-...so`, as mypyc compiles them): loaded by importlib's own
        ExtensionFileLoader, whose dlopen is the runtime's loader (docs/native-wheels.md)."""
        base = stem + "/__init__" if is_package else stem
        names = _pystatic.names(_pystatic.DATA, base + ".")
        if not names:
            return None
        for suffix in _imp.extension_suffixes():
            if base + suffix in names:
                path = self.root + _SEP + (base + suffix).replace("/", _SEP)
                loader = sys.modules["_frozen_importlib_external"].ExtensionFileLoader(fullname, path)
                spec = _bootstrap.ModuleSpec(fullname, loader, origin=path, is_package=is_package)
                spec.has_location = True
                if is_package:
                    spec.submodule_search_locations = [self.root + _SEP + stem.replace("/", _SEP)]
                return spec
        return None

    def find_spec(self, fullname, path=None, target=None):  # Finder
        if fullname in _BUILTINS:
            if fullname == "_posixsubprocess" and _pystatic.file_view:
                # Its fork_exec (every subprocess) becomes a file view hook on import: a file of the tree
                # in argv runs from a copy on disk. Not at start-up: most programs never import it.
                return _import("_pystatic_extract").spawn_hooked_spec(fullname)
            return None  # BuiltinImporter's, after this finder (install)
        spec = self.spec_of(fullname, fullname)
        if fullname in _PATCHED and spec is not None and spec.loader is self and _pystatic.file_view:
            spec.loader = _import("_pystatic_paths").patching_loader(type(self), self.root, _PATCHED[fullname])
        return spec

    def spec_of(self, fullname, name):
        """The spec of the embedded module `name`, imported as `fullname` (another name when a directory
        of the tree is searched as a path entry: _pystatic_paths), or None."""
        flags = _pystatic.find_module(name)
        stem = name.replace(".", "/")
        if flags >= 0 and flags & _PACKAGE:
            # A package: its compiled __init__ first, as FileFinder prefers `__init__.so` to `__init__.py`.
            spec = self._extension_spec(fullname, stem, True)
            if spec is not None:
                return spec
        else:
            # An embedded extension module first, as FileFinder prefers `x.so` to `x.py` (pyzmq's
            # Cython sources and mypyc's twins are the compiled modules' sources, not fallbacks).
            spec = self._extension_spec(fullname, stem, False) or (
                self._extension_spec(fullname, stem, True) if flags < 0 else None)
            if spec is not None:
                return spec
        # `pkg.__init__` by name (statsmodels: `from .__init__ import test`): FileFinder's module of its own.
        init_of = name[:-9] if flags < 0 and name.endswith(".__init__") and \
            max(_pystatic.find_module(name[:-9]), 0) & _PACKAGE else None  # -1: no such module
        if flags < 0 and init_of is None:
            if fullname == name and not _imp.is_frozen(fullname):
                self._left_out(fullname)
            return self._namespace_spec(fullname, name)
        is_package = bool(flags & _PACKAGE) and init_of is None
        loader = self if fullname == name and init_of is None else _import("_pystatic_paths").AliasLoader(
            self, fullname, init_of or name, is_package=False if init_of else None)
        directory, _, base = (self._root_of(name) + _SEP + stem.replace("/", _SEP)).rpartition(_SEP)
        if is_package:
            directory, base = directory + _SEP + base, "__init__"
        spec = _bootstrap.ModuleSpec(fullname, loader, origin=directory + _SEP + base + ".py", is_package=is_package)
        spec.has_location = True
        spec.cached = _cached(directory, base)
        spec.loader_state = init_of or name  # the blob's name, for exec_module (runtime/blob.c)
        if is_package:
            spec.submodule_search_locations = [directory]
        return spec

    def _left_out(self, fullname):
        """Raises the error that names the fix if `fullname` was left out of this binary (stdlib = "imported")."""
        if fullname in _LEFT_OUT:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the built-in module was left out of this binary (stdlib = "
                f'"imported": no embedded module imports it). Fix: import the module that uses it in the app, '
                f'add it with stdlib_include = ["<that module>"], or build with stdlib = "all"',
                name=fullname,
            )
        if f",{fullname}," in _LEFT_OUT_MODULES:
            if fullname.startswith("encodings."):
                # encodings.search_function swallows ImportError (unknown encoding); a LookupError
                # reaches the caller of codecs.lookup / str.encode with the fix.
                raise LookupError(
                    f"unknown encoding: {fullname[10:]}: its codec {fullname} was left out of this binary "
                    f'(stdlib = "imported" embeds the CJK codecs only when named). Fix: add it with '
                    f'stdlib_include = ["{fullname}"] (or "encodings" for all), or build with stdlib = "all"')
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: the standard library module was left out of this binary "
                f'(stdlib = "imported": the import scan found no embedded module that imports it). Fix: add it '
                f'with stdlib_include = ["{fullname}"], or build with stdlib = "all"',
                name=fullname,
            )

    def _namespace_spec(self, fullname, name):
        """A directory without __init__ that holds anything: an implicit namespace package (PEP 420), as
        FileFinder makes of any such directory; librt's holds only extension modules (mypy imports
        `librt.internal`)."""
        if not _pystatic.has_prefix(_pystatic.MODULE, name + ".") and \
                not _pystatic.has_prefix(_pystatic.DATA, name.replace(".", "/") + "/"):
            return None
        spec = _bootstrap.ModuleSpec(fullname, None, is_package=True)
        # A _NamespacePath, as PathFinder gives: importlib.resources reads a namespace package only
        # from one. Its path finder finds nothing more: the embedded portion is all there is.
        spec.submodule_search_locations = sys.modules["_frozen_importlib_external"]._NamespacePath(
            fullname, [self.root + _SEP + name.replace(".", _SEP)], _no_other_portion)
        return spec

    def invalidate_caches(self):
        pass

    # Loader (InspectLoader + ResourceLoader + ExecutionLoader)
    def create_module(self, spec):
        return None

    # In C: keeps the importer's own frame out of tracebacks (see runtime/blob.c).
    exec_module = _pystatic.exec_module

    def get_code(self, fullname):
        code = _pystatic.get_code(fullname)
        # Code objects name their file as compiled at build time; tracebacks and linecache
        # should see the virtual path instead.
        _imp._fix_co_filename(code, self.get_filename(fullname))
        return code

    def get_source(self, fullname):
        source = _pystatic.get_source(fullname)
        if source is None:
            return None
        # The frozen importlib, loaded since start-up: no import edge for the pack step to follow.
        return sys.modules["_frozen_importlib_external"].decode_source(source)

    def is_package(self, fullname):
        return bool(self._flags(fullname) & _PACKAGE)

    def get_filename(self, fullname):
        return self._path(fullname, self.is_package(fullname))

    def get_data(self, path):
        """Bytes of a package data file, by virtual path (pkgutil.get_data)."""
        prefix = self.root + _SEP
        if _SEP != "/":
            path = path.replace("/", _SEP)
        if not path.startswith(prefix):
            raise FileNotFoundError(path)
        return _pystatic.read(_pystatic.DATA, path[len(prefix):].replace(_SEP, "/"))

    def find_distributions(self, context=None):
        """importlib.metadata: the *.dist-info directories embedded in the blob."""
        import _pystatic_resources

        return _pystatic_resources.find_distributions(self.root, context)

    def get_resource_reader(self, fullname):
        if not self.is_package(fullname):
            return None
        import _pystatic_resources

        root = self._root_of(fullname)
        return _pystatic_resources.reader(root, fullname, extracted=root != self.root)


class MuslVersionFinder:
    """Gives packaging the truthful answer to "which musl is this" (runtime/_pystatic_musllinux.py):
    on sys.meta_path before the others, it finds nothing itself and looks at no other name than
    `[<prefix>.]packaging._musllinux`."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if not (fullname == "packaging._musllinux" or fullname.endswith(".packaging._musllinux")):
            return None
        return _import("_pystatic_musllinux").find_spec(cls, fullname, path, target)


def _import(name):
    # sys.modules, not fromlist=["_"]: that also tries to import `<package>._`, which an import
    # hook sees (pip 26 blocks every import once it installs) and which costs a search.
    __import__(name)
    return sys.modules[name]


def _run_as_main(module_name):
    """Runs a module as __main__, like `python -m`, but keeps sys.argv[0] the executable."""
    spec = _bootstrap._find_spec(module_name, None)
    if spec is None:
        raise ImportError(f"No module named {module_name!r}", name=module_name)
    if spec.submodule_search_locations is not None:
        return _run_as_main(module_name + ".__main__")
    if spec.parent:
        __import__(spec.parent)
    main = sys.modules["__main__"]
    main.__dict__.update(
        __name__="__main__", __spec__=spec, __loader__=spec.loader, __file__=spec.origin,
        __package__=spec.parent, __cached__=None,
    )
    exec(spec.loader.get_code(module_name), main.__dict__)


def _exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_exception():
    """Prints the current exception as python3 would, without the runtime's own frames (this module's,
    _pystatic_command_line's): `<executable>/_pystatic_*.py`."""
    exc = sys.exception()
    tb = exc.__traceback__
    own, runtime = _run_as_main.__code__.co_filename, sys._stdlib_dir + _SEP + "_pystatic_"
    while tb is not None and (tb.tb_frame.f_code.co_filename == own or tb.tb_frame.f_code.co_filename.startswith(runtime)):
        tb = tb.tb_next
    sys.excepthook(type(exc), exc.with_traceback(tb), tb)


def main(module, function):
    """Runs `module` as __main__ (function "") or calls `module.function`; returns the process's exit code."""
    try:
        if len(sys.argv) > 1:  # a python3-style command line? (runtime/_pystatic_command_line.py)
            command_line = _import("_pystatic_command_line")
            child = command_line.child(sys.argv, _run_as_main)
            if child is not None:
                child()
                return 0
            command_line.rerun_as_own_script(sys.argv)
        if not function:
            _run_as_main(module)
            return 0
        target = _import(module)
        for attribute in function.split("."):
            target = getattr(target, attribute)
        return _exit_code(target())
    except SystemExit as exc:
        return _exit_code(exc.code)
    except KeyboardInterrupt:
        _print_exception()
        return 130
    except BaseException:
        _print_exception()
        return 1


# Patched for the file view when imported, by the runtime module's patch(): a ZipFile of the executable reads the
# tree (virtualenv), realpath(strict=True) resolves a path of it (the executable is a file to the kernel).
_PATCHED = {"zipfile": "_pystatic_zip", "posixpath": "_pystatic_realpath", "ntpath": "_pystatic_realpath"}

# Python's file APIs that the read-only view of the embedded tree serves (runtime/_pystatic_files.py):
# (module, function, handler, which positional arguments are paths as bits).
_FILE_APIS = (
    ("_io", "open", "open", 1),
    ("_io", "open_code", "open_code", 1),
    ("posix", "stat", "stat", 1),
    ("posix", "lstat", "lstat", 1),
    ("posix", "listdir", "listdir", 1),
    ("posix", "scandir", "scandir", 1),
    ("posix", "access", "access", 1),
    ("posix", "readlink", "readlink", 1),
    ("posix", "listxattr", "listxattr", 1),
    ("posix", "getxattr", "getxattr", 1),
    ("posix", "open", "os_open", 1),
    # Writes: EROFS, as a read-only mount gives; ENOENT/EEXIST first where Python code expects them.
    *(("posix", name, "changes", 1) for name in (
        "rmdir", "remove", "unlink", "chmod", "chown", "lchown", "utime", "truncate", "setxattr", "removexattr",
        "chflags", "lchflags",
    )),
    *(("posix", name, "creates", 1) for name in ("mkdir", "mkfifo", "mknod")),
    *(("posix", name, "moves", 3) for name in ("rename", "replace", "link")),
    ("posix", "symlink", "creates_second", 2),
    # Spawns: _posixsubprocess.fork_exec, which every subprocess calls, is hooked when it is imported
    # (find_spec, _pystatic_extract.spawn_hooked_spec): a file of the tree in argv runs from a copy on disk.
    # Windows: ntpath's isdir, isfile, exists, ... are nt's own functions, not stat.
    *(("posix", f"_path_{name}", f"path_{name}", 1) for name in ("isdir", "isfile", "islink", "isjunction", "exists",
                                                                  "lexists")),
)
# "posix" above: the OS's module, nt on Windows. Its os.open is not served there (no memfd).
_OS_MODULE = "nt" if sys.platform == "win32" else "posix"
_NOT_ON_WINDOWS = {"open"}


def _install_file_view(executable):
    """Replaces the file APIs by hooks that serve paths below the executable from the blob, before
    any other module binds them (`os` copies posix's functions, `io` and `builtins.open` _io's)."""
    _pystatic.set_view_root(executable + "/")
    modules = [sys.modules.get(name) for name in (_OS_MODULE, "os", "_io", "io", "builtins")]
    for module_name, name, handler, path_args in _FILE_APIS:
        if module_name == "posix":
            if _OS_MODULE == "nt" and name in _NOT_ON_WINDOWS:
                continue
            module_name = _OS_MODULE
        module = __import__(module_name)
        original = getattr(module, name, None)
        if original is None:
            continue
        hook = _pystatic.PathHook(original, handler, path_args)
        for loaded in [module, *modules]:
            if loaded is not None and getattr(loaded, name, None) is original:
                setattr(loaded, name, hook)


def install(executable):
    """Puts the importer on sys.meta_path, after the built-in and frozen importers."""
    if _pystatic.file_view:
        _install_file_view(executable)
    importer = PyStaticImporter(executable)
    # First: before BuiltinImporter and FrozenImporter, which every import of an embedded module
    # would otherwise ask in vain (find_spec leaves built-in modules to them).
    sys.meta_path[0:0] = [MuslVersionFinder, importer]
    tree = (executable + "/", executable + _SEP)

    def embedded_directory(path):
        """sys.path_hooks, first: the executable (sys.path's entry: PathFinder.find_spec(name, [executable]),
        as pip's build runner imports pip; so zipimport never reads it as an archive) and each
        directory inside it are searched in the blob (_pystatic_paths)."""
        if not (isinstance(path, str) and (path.startswith(tree) or path == executable)):
            raise ImportError("not inside the executable", path=path)
        return _import("_pystatic_paths").finder(importer, path)

    sys.path_hooks.insert(0, embedded_directory)
    sys.frozen = True  # multiprocessing: children re-enter this executable (_pystatic_command_line.py)
    module = sys.modules[__name__]
    module.__spec__ = importer.find_spec(__name__)
    module.__loader__ = importer
    module.__file__ = module.__spec__.origin
