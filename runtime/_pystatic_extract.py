"""Files of the embedded tree written to a cache directory, for code that needs real files.

extract_packages: one embedded package's files, for C code that opens them by path (a shared
library, a CA file, a database); the importer (_pystatic_bootstrap) imports this module on the
first import of such a package. Spawns: a file of the tree that a new process is given (a script
another Python runs, a program a package ships) is written alone and the spawn gets its copy's
path (`spawn`, for _pystatic_files' handler of fork_exec). See
docs/import-protocol.md, "Files inside the binary".
"""

import _io
import _pystatic
import sys

from _pystatic_tree import files_below, is_file, read

# The executable file itself: sys._stdlib_dir (main.c), for the error message.
_EXECUTABLE = sys._stdlib_dir


def _stdlib(name):
    # sys.modules, not fromlist=["_"]: see _pystatic_bootstrap._import.
    __import__(name)  # a name in a variable: no edge for the pack step's import scan
    return sys.modules[name]


def _make_read_only(top):
    os = _stdlib("os")
    for directory, _, files in os.walk(top, topdown=False):
        for name in files:
            os.chmod(os.path.join(directory, name), 0o444)
        os.chmod(directory, 0o555)


def _remove_tree(top):
    """Removes a tree that _make_read_only may have reached (directories writable again first)."""
    os = _stdlib("os")
    for directory, _, _ in os.walk(top):
        os.chmod(directory, 0o700)
    _stdlib("shutil").rmtree(top, ignore_errors=True)


def _write_package(base, key):
    """Writes the files below `key` to base/key unless it is there; atomic: a rename of a complete copy."""
    os = _stdlib("os")
    final = os.path.join(base, key)
    if os.path.isdir(final):
        return
    os.makedirs(os.path.dirname(final), exist_ok=True)
    staging = _stdlib("tempfile").mkdtemp(prefix=".extract-", dir=base)
    try:
        for file in files_below(key):
            target = os.path.join(staging, file)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with _io.open(target, "xb") as out:
                out.write(read(file))
        os.makedirs(os.path.join(staging, key), exist_ok=True)
        _make_read_only(os.path.join(staging, key))
        try:
            os.rename(os.path.join(staging, key), final)
        except OSError:
            if not os.path.isdir(final):  # else another process was first: its copy is complete
                raise
    finally:
        _remove_tree(staging)


def _cache_bases():
    os = _stdlib("os")
    bases = []
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        bases.append(xdg)
    home = os.environ.get("HOME") or os.path.expanduser("~")
    if os.path.isabs(home):
        bases.append(os.path.join(home, ".cache"))
    return [os.path.join(base, "rules_pystatic", "extract", _pystatic.blob_sha256) for base in bases]


_extracted = {}


def extract(package):
    """The directory below which `package`'s files are written (once per blob: the cache directory
    is named by the blob's sha256), for `extract_packages`; ImportError if nothing is writable."""
    if package in _extracted:
        return _extracted[package]
    key = package.replace(".", "/")
    problems = []
    for base in _cache_bases():
        try:
            _write_package(base, key)
        except OSError as err:
            problems.append(f"{base}: {err.strerror or err}")
            continue
        _extracted[package] = base
        return base
    try:
        base = _stdlib("tempfile").mkdtemp(prefix="rules_pystatic-")
        _write_package(base, key)
    except OSError as err:
        problems.append(f"a temporary directory: {err.strerror or err}")
        raise ImportError(
            f"{_EXECUTABLE}: cannot extract package {package!r} (extract_packages): nothing is writable "
            f"({'; '.join(problems)}). Fix: set XDG_CACHE_HOME (or HOME, or TMPDIR) to a writable directory.",
            name=package,
        ) from None
    _stdlib("atexit").register(_remove_tree, base)
    _extracted[package] = base
    return base


_on_disk = {}


def file_on_disk(key):
    """The path of a copy of the tree's file `key` on disk (once per blob, below the cache directory's
    `<blob sha256>.files/`; mode 0o555: scripts and programs run from it), or None if nothing is
    writable: then the spawn gets the path in the tree and fails as it would have."""
    if key in _on_disk:
        return _on_disk[key]
    os = _stdlib("os")
    for base in _cache_bases():
        final = os.path.join(base + ".files", key)
        if not os.path.isfile(final):
            partial = f"{final}.{os.getpid()}.{_stdlib('_thread').get_ident()}.partial"
            try:
                os.makedirs(os.path.dirname(final), exist_ok=True)
                with _io.open(partial, "wb") as out:
                    out.write(read(key))
                os.chmod(partial, 0o555)
                os.rename(partial, final)  # atomic: a concurrent first run finds a complete file
            except OSError:
                continue
        _on_disk[key] = final
        return final
    return None


def _copies_on_disk(value, root, key_of):
    """`value` (a path, or a list/tuple of them: argv) with each path of a file of the tree replaced
    by file_on_disk's copy; the same object if none is."""
    if isinstance(value, (list, tuple)):
        copied = [_copies_on_disk(item, root, key_of) for item in value]
        return value if all(a is b for a, b in zip(copied, value)) else type(value)(copied)
    os = _stdlib("os")
    try:
        path = os.fspath(value)
    except TypeError:
        return value
    text = path.decode(sys.getfilesystemencoding(), "surrogateescape") if isinstance(path, bytes) else path
    if not text.startswith(root):
        return value
    key = key_of(text)
    disk = file_on_disk(key) if key is not None and is_file(key) else None
    if disk is None:
        return value
    return os.fsencode(disk) if isinstance(path, bytes) else disk


def spawn(original, args, kwargs):
    """`original` (a spawn: fork_exec) called with its first two arguments (argv, the executable list)
    holding copies on disk of the tree's files; NotImplemented when there are none to copy (a directory,
    a missing file): then the file view calls it as it is."""
    from _pystatic_files import _ROOT, _key

    copied = [_copies_on_disk(arg, _ROOT, _key) if i < 2 else arg for i, arg in enumerate(args)]
    if len(copied) > 4 and getattr(sys, "frozen", False):  # an application binary, not an interpreter
        # This executable run on a script from disk (`[sys.executable, "x.py"]`): see as_python3_child.
        copied[0] = _stdlib("_pystatic_command_line").as_python3_child(copied[0], copied[1], copied[4])
    if all(a is b for a, b in zip(copied, args)):
        return NotImplemented
    return original(*copied, **kwargs)


def spawn_hooked_spec(fullname):
    """The spec of the built-in _posixsubprocess (the importer asks when it is imported), whose loader
    makes its fork_exec, which `subprocess` binds on import, a file view hook: spawn above."""
    builtin = sys.modules["_frozen_importlib"].BuiltinImporter

    class SpawnHookingLoader(builtin):
        @staticmethod
        def exec_module(module):
            builtin.exec_module(module)
            module.fork_exec = _pystatic.PathHook(module.fork_exec, "spawn_fork_exec", 3)

    spec = builtin.find_spec(fullname)
    spec.loader = SpawnHookingLoader
    return spec
