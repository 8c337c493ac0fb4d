"""Files inside the binary: the embedded tree as a read-only file system for Python's file APIs.

`_pystatic.PathHook` objects (runtime/file_view.c) stand in for `_io.open`, `posix.stat`,
`posix.listdir`, ... (installed by _pystatic_bootstrap before the standard library's first
import); for a path below the executable file's + "/" they call the handler of the same name here,
which this module's first use imports. A handler returns NotImplemented for a path that turns
out to lie outside the tree, and the original function runs. See docs/import-protocol.md,
"Files inside the binary".

The tree is runtime/_pystatic_tree.py's. Everything is read-only: writes raise OSError(EROFS).
extract_packages (files written to a cache directory) is runtime/_pystatic_extract.py.
"""

import _io
import _pystatic
import errno
import sys

from _pystatic_tree import children, entry_size, file_entry, is_dir, is_file, read

_S_IFDIR, _S_IFREG = 0o040000, 0o100000
_FILE_MODE, _DIR_MODE = _S_IFREG | 0o644, _S_IFDIR | 0o755  # as a package installs them; the tree is read-only


def _stdlib(name):
    # sys.modules, not fromlist=["_"]: see _pystatic_bootstrap._import.
    __import__(name)  # a name in a variable: no edge for the pack step's import scan
    return sys.modules[name]


# The OS's module of file functions: nt on Windows, where paths below the executable come with `\`
# or `/` (ntpath joins with `\`, __file__ has `/`) and in any case (the file system ignores it).
_WINDOWS = sys.platform == "win32"
posix = _stdlib("nt" if _WINDOWS else "posix")


def _original_of(module, name):
    function = getattr(_stdlib(module) if isinstance(module, str) else module, name)
    return getattr(function, "__wrapped__", function)


def _original(name):
    return _original_of(posix, name)


def spawn_fork_exec(*args, **kwargs):
    """The handler of _posixsubprocess.fork_exec (every subprocess): files of the tree in its argv run
    from copies on disk, written by _pystatic_extract."""
    return _stdlib("_pystatic_extract").spawn(_original_of("_posixsubprocess", "fork_exec"), args, kwargs)


_real_stat = _original("stat")
_real_getcwd = posix.getcwd
# The executable file itself: sys._stdlib_dir (main.c). Not sys.executable, which in a virtual
# environment is the venv's bin/python, a link to it or a copy.
_EXECUTABLE = sys._stdlib_dir
_ROOT = _EXECUTABLE + "/"
_ROOT_FOLDED = _ROOT.replace("\\", "/").casefold()
# Device, owner and times of every entry; taken once, not per stat of the tree (os.walk, glob).
_EXECUTABLE_STAT = _real_stat(_EXECUTABLE)

# --- paths -----------------------------------------------------------------------------------


def _normalize(rest):
    """`rest` below the root as a key without '', '.', '..' parts; None if it leaves the tree."""
    parts = []
    for part in rest.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def _resolve(path):
    """The key of `path` reached another way than through the root (relative, through a symlink
    to the executable, ...), or None: the first regular file on the way must be the executable."""
    if _WINDOWS:
        return None  # not yet: only paths below the executable's own (docs/windows.md)
    if not path.startswith("/"):
        path = _real_getcwd() + "/" + path
    parts = path.split("/")
    current, executable = "", _EXECUTABLE_STAT
    for i in range(1, len(parts)):
        current += "/" + parts[i]
        try:
            st = _real_stat(current)
        except (OSError, ValueError):
            return None
        if st.st_mode & 0o170000 == _S_IFREG:
            if (st.st_dev, st.st_ino) != (executable.st_dev, executable.st_ino):
                return None
            return _normalize("/".join(parts[i + 1 :]))
    return None


def _key(path):
    """The key of `path` in the tree, or None if the path lies outside it."""
    if isinstance(path, int) or path is None:
        return None
    try:
        path = posix.fspath(path)
    except TypeError:
        return None
    if isinstance(path, bytes):
        path = path.decode(sys.getfilesystemencoding(), "surrogateescape")
    if _WINDOWS:
        path = path.replace("\\", "/")
        if path[:len(_ROOT_FOLDED)].casefold() == _ROOT_FOLDED:
            path = _ROOT + path[len(_ROOT_FOLDED):]
    if path.startswith(_ROOT):
        rest = path[len(_ROOT):]
        if "//" in rest or "/." in rest or rest.startswith(".") or rest.endswith("/"):
            return _normalize(rest)
        return rest  # already a key: the common case, without splitting it
    return _resolve(path)


def _not_found(path):
    return FileNotFoundError(errno.ENOENT, "No such file or directory", path)


def _read_only_error(path):
    return OSError(errno.EROFS, "Read-only file system (embedded in the executable)", path)


# The fields every entry's stat shares with the executable's, once.
_STAT_TIMES = tuple(_EXECUTABLE_STAT)[7:10]
_STAT_EXTRA = {
    name: getattr(_EXECUTABLE_STAT, name)
    for name in ("st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns", "st_rdev")
    if hasattr(_EXECUTABLE_STAT, name)
}
# Windows' stat_result has neither (nor st_rdev), and refuses fields it does not have.
_HAS_BLOCKS = hasattr(_EXECUTABLE_STAT, "st_blocks")
if _HAS_BLOCKS:
    _STAT_EXTRA["st_blksize"] = 4096
# The common stat and listdir are answered in C (runtime/tree_stat.c) from this stat_result of an
# entry, with its mode, inode, size and st_blocks filled in as _stat_of does.
_STAT_PROTO = posix.stat_result((0, 0, _EXECUTABLE_STAT.st_dev, 1, _EXECUTABLE_STAT.st_uid, _EXECUTABLE_STAT.st_gid, 0)
                                + _STAT_TIMES, dict(_STAT_EXTRA, st_blocks=0) if _HAS_BLOCKS else _STAT_EXTRA)
if _HAS_BLOCKS:  # not on Windows: every stat there goes to _stat_of
    _pystatic.set_stat_template(_STAT_PROTO, posix.stat_result.n_fields,
                                posix.stat_result.n_sequence_fields + list(_STAT_PROTO.__reduce__()[1][1]).index("st_blocks"),
                                _ROOT)


def _stat_of(key, path):
    found = file_entry(key)
    if found is None and not is_dir(key):
        raise _not_found(path)
    executable = _EXECUTABLE_STAT
    if found is None:
        mode, ino, size = _DIR_MODE, hash(("dir", key)) & 0x7FFFFFFFFFFFFFFF, 0
    else:
        kind, (index, *_) = found
        mode, ino, size = _FILE_MODE, (index + 1) | (kind << 48), entry_size(found)
    extra = dict(_STAT_EXTRA, st_blocks=(size + 511) // 512) if _HAS_BLOCKS else _STAT_EXTRA
    fields = (mode, ino, executable.st_dev, 1, executable.st_uid, executable.st_gid, size) + _STAT_TIMES
    return posix.stat_result(fields, extra)


# --- handlers (same names and signatures as what they stand in for) ---------------------------


class EmbeddedFile(_io.BytesIO):
    """A file of the tree opened for reading, in binary mode; `open()` wraps it for text."""

    def __init__(self, data, name):
        super().__init__(data)
        self.name = name
        self.mode = "rb"

    def __repr__(self):
        return f"<EmbeddedFile name={self.name!r}>"

    def writable(self):
        return False

    def write(self, *args):
        raise _io.UnsupportedOperation("not writable: a file inside the executable")

    writelines = truncate = write

    def peek(self, size=0):
        position = self.tell()
        data = self.read(max(size, _io.DEFAULT_BUFFER_SIZE))
        self.seek(position)
        return data


def _open_file(file, key):
    if is_dir(key) and not is_file(key):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", file)
    try:
        data = read(key)
    except FileNotFoundError:
        raise _not_found(file) from None
    return EmbeddedFile(data, file)


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    key = _key(file)
    if key is None:
        return NotImplemented
    if not isinstance(mode, str) or set(mode) - set("rwxabt+") or mode.count("b") + mode.count("t") > 1:
        return NotImplemented  # the original reports the bad mode
    if set(mode) & set("wax+"):
        raise _read_only_error(file)
    if "b" in mode:
        if encoding is not None or errors is not None or newline is not None:
            return NotImplemented  # "binary mode doesn't take an encoding argument", from the original
        return _open_file(file, key)
    if buffering == 0:
        raise ValueError("can't have unbuffered text I/O")
    text = _io.TextIOWrapper(_open_file(file, key), encoding, errors, newline)
    text.mode = mode
    return text


def open_code(path):
    key = _key(path)
    return NotImplemented if key is None else _open_file(path, key)


def stat(path, *, dir_fd=None, follow_symlinks=True):
    key = None if dir_fd is not None else _key(path)
    return NotImplemented if key is None else _stat_of(key, path)


lstat = stat


def _directory(path):
    """(key, names) of a directory of the tree, or None if `path` is outside it."""
    key = _key(path)
    if key is None:
        return None
    if not is_dir(key):
        if is_file(key):
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", path)
        raise _not_found(path)
    names = children(key)
    if isinstance(path, bytes):
        names = [name.encode(sys.getfilesystemencoding(), "surrogateescape") for name in names]
    return key, names


def listdir(path="."):
    found = _directory(path)
    return NotImplemented if found is None else found[1]


def _path_test(test):
    """A handler for one of nt's _path_* functions behind ntpath.isdir, isfile, exists, ... (Windows):
    `test(key)` for a path in the tree (an answer, never an error)."""

    def handler(path):
        key = _key(path)
        return NotImplemented if key is None else test(key)

    return handler


path_isdir = _path_test(is_dir)
path_isfile = _path_test(is_file)
path_exists = path_lexists = _path_test(lambda key: is_dir(key) or is_file(key))
path_islink = path_isjunction = _path_test(lambda key: False)


class DirEntry:
    """os.DirEntry of an entry of the tree (os.scandir, os.walk, glob, shutil.copytree)."""

    __slots__ = ("name", "path", "_key")

    def __init__(self, directory, name, key):
        self.name = name
        separator = b"/" if isinstance(name, bytes) else "/"
        self.path = directory + name if directory.endswith(separator) else directory + separator + name
        self._key = key

    def __repr__(self):
        return f"<DirEntry {self.name!r}>"

    def __fspath__(self):
        return self.path

    def is_dir(self, *, follow_symlinks=True):
        return is_dir(self._key)

    def is_file(self, *, follow_symlinks=True):
        return is_file(self._key)

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def stat(self, *, follow_symlinks=True):
        return _stat_of(self._key, self.path)

    def inode(self):
        return self.stat().st_ino


class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def close(self):
        self._entries = iter(())

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def scandir(path="."):
    found = _directory(path)
    if found is None:
        return NotImplemented
    key, names = found
    directory = posix.fspath(path)
    entries = []
    for name in names:
        text = name.decode(sys.getfilesystemencoding(), "surrogateescape") if isinstance(name, bytes) else name
        entries.append(DirEntry(directory, name, f"{key}/{text}" if key else text))
    return _ScandirIterator(entries)


def access(path, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    key = None if dir_fd is not None else _key(path)
    if key is None:
        return NotImplemented
    directory = is_dir(key)
    if not directory and not is_file(key):
        return False
    if mode & posix.W_OK:
        return False
    return not (mode & posix.X_OK and not directory)


def readlink(path, *, dir_fd=None):
    key = None if dir_fd is not None else _key(path)
    if key is None:
        return NotImplemented
    if is_file(key) or is_dir(key):
        raise OSError(errno.EINVAL, "Invalid argument", path)
    raise _not_found(path)


def listxattr(path=None, *, follow_symlinks=True):
    key = _key(path)
    if key is None:
        return NotImplemented
    if not (is_file(key) or is_dir(key)):
        raise _not_found(path)
    return []


def getxattr(path, attribute, *, follow_symlinks=True):
    key = _key(path)
    if key is None:
        return NotImplemented
    raise OSError(errno.ENODATA, "No data available", path)


def os_open(path, flags, mode=0o777, *, dir_fd=None):
    """os.open of a file of the tree: a read-only memfd holding its contents."""
    key = None if dir_fd is not None else _key(path)
    if key is None:
        return NotImplemented
    if flags & (posix.O_WRONLY | posix.O_RDWR | posix.O_CREAT | posix.O_TRUNC | posix.O_APPEND):
        raise _read_only_error(path)
    if is_dir(key) and not is_file(key):
        raise IsADirectoryError(errno.EISDIR, "Is a directory (inside the executable: no descriptor)", path)
    data = read(key)
    fd = posix.memfd_create(key.rpartition("/")[2] or "embedded", posix.MFD_CLOEXEC | posix.MFD_ALLOW_SEALING)
    view = memoryview(data)
    while view:
        view = view[posix.write(fd, view):]
    posix.lseek(fd, 0, 0)
    # F_ADD_SEALS: F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
    _stdlib("fcntl").fcntl(fd, 1033, 0x1 | 0x2 | 0x4 | 0x8)
    return fd


def _path_key(arg):
    if isinstance(arg, (str, bytes)) or hasattr(arg, "__fspath__"):
        return _key(arg)
    return None


def _exists(key):
    return is_file(key) or is_dir(key)


def changes(path, *args, **kwargs):
    """remove, unlink, rmdir, chmod, utime, truncate, ... of a path in the tree: ENOENT for a name
    that is not there (what `try: os.remove(p) except FileNotFoundError` expects), else EROFS."""
    key = _path_key(path)
    if key is None:
        return NotImplemented
    raise _read_only_error(path) if _exists(key) else _not_found(path)


def creates(path, *args, **kwargs):
    """mkdir, mkfifo, mknod in the tree: EEXIST for a name that is there, else EROFS."""
    key = _path_key(path)
    if key is None:
        return NotImplemented
    if _exists(key):
        raise FileExistsError(errno.EEXIST, "File exists", path)
    raise _read_only_error(path)


def creates_second(source, destination, *args, **kwargs):
    """symlink(source, destination) with the destination in the tree."""
    return creates(destination)


def moves(source, destination, *args, **kwargs):
    """rename, replace, link: from the tree (ENOENT if the source is not there) or into it: EROFS."""
    source_key = _path_key(source)
    if source_key is not None and not _exists(source_key):
        raise _not_found(source)
    if source_key is not None or _path_key(destination) is not None:
        raise _read_only_error(destination if source_key is None else source)
    return NotImplemented
