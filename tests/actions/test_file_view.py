"""The read-only file view's Python half (runtime/_pystatic_files.py, its tree runtime/_pystatic_tree.py)
and extract_packages (runtime/_pystatic_extract.py), over a fake `_pystatic`.

The handlers are called directly here; runtime/file_view.c's hooks that route the real file APIs
to them are tested end to end in tests/integration/test_files.py.
"""

import bisect
import errno
import importlib.util
import io
import os
import pathlib
import sys
import types

import pytest

RUNTIME = pathlib.Path(__file__).resolve().parents[2] / "runtime"
MODULE, DATA, METADATA = 1, 2, 3
PACKAGE, HAS_SOURCE = 0x01, 0x04


class FakeBlob(types.ModuleType):
    """The `_pystatic` module's lookups over a dict {(kind, name): (flags, primary, source)}."""

    MODULE, DATA, METADATA, PACKAGE, HAS_SOURCE = MODULE, DATA, METADATA, PACKAGE, HAS_SOURCE
    blob_sha256 = "ab" * 32
    extract_packages = ""

    def __init__(self, entries):
        super().__init__("_pystatic")
        self._entries = entries
        self._keys = sorted((kind, name.encode()) for kind, name in entries)

    def _names(self, kind, prefix):
        start = bisect.bisect_left(self._keys, (kind, prefix.encode()))
        for k, name in self._keys[start:]:
            if k != kind or not name.startswith(prefix.encode()):
                break
            yield name.decode()

    def names(self, kind, prefix):
        return list(self._names(kind, prefix))

    def has_prefix(self, kind, prefix):
        return next(self._names(kind, prefix), None) is not None

    def find_module(self, name):
        found = self._entries.get((MODULE, name))
        return -1 if found is None else found[0]

    def entry(self, kind, name):
        found = self._entries.get((kind, name))
        if found is None:
            return None
        flags, primary, source = found
        return (self._keys.index((kind, name.encode())), flags, len(primary or b""), len(source or b""))

    def read(self, kind, name):
        return self._entries[(kind, name)][1]

    def get_source(self, name):
        return self._entries[(MODULE, name)][2]

    def set_stat_template(self, proto, n_fields, blocks_index, root):
        """runtime/tree_stat.c's fast path (not run here: the handlers are called directly)."""
        self.stat_template = (proto, n_fields, blocks_index, root)

    def tree_children(self, key):
        """What runtime/file_view.c's walk of the index gives, the plain way: every name below `key`."""
        prefix = key + "/" if key else ""
        names = set()
        for kind in (DATA, METADATA):
            names.update(n[len(prefix):].split("/", 1)[0] for n in self.names(kind, prefix))
        if not key or "." not in key:
            package = key.replace("/", ".") + "." if key else ""
            for module in self.names(MODULE, package):
                first, _, rest = module[len(package):].partition(".")
                flags = self.find_module(module)
                if rest or flags & PACKAGE:
                    names.add(first)
                elif flags & HAS_SOURCE:
                    names.add(first + ".py")
            own = self.find_module(package[:-1]) if key else -1
            if own >= 0 and own & PACKAGE and own & HAS_SOURCE:
                names.add("__init__.py")
        return sorted(names)


ENTRIES = {
    (MODULE, "pkg"): (PACKAGE | HAS_SOURCE, b"code", b'"""pkg"""\n'),
    (MODULE, "pkg.mod"): (HAS_SOURCE, b"code", b"x = 1\ny = 2\n"),
    (MODULE, "pkg.nosource"): (0, b"code", None),
    (MODULE, "pkg.sub"): (PACKAGE, b"code", None),
    (MODULE, "pkg.sub.leaf"): (HAS_SOURCE, b"code", b"leaf = True\n"),
    (MODULE, "ns.part"): (HAS_SOURCE, b"code", b"part = 1\n"),
    (DATA, "pkg/data/a.txt"): (0, b"alpha\r\nbeta\n", None),
    (DATA, "pkg/data/deep/b.bin"): (0, bytes(range(256)), None),
    (METADATA, "pkg-1.0.dist-info/METADATA"): (0, b"Name: pkg\n", None),
}


@pytest.fixture
def view(tmp_path, monkeypatch):
    executable = tmp_path / "bin" / "tool"
    executable.parent.mkdir()
    executable.write_bytes(b"\x7fELF")
    # The tree is below the executable file (sys._stdlib_dir), not below sys.executable, which in a
    # venv of an interpreter is the venv's bin/python (a link to it).
    monkeypatch.setattr(sys, "_stdlib_dir", str(executable), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "venv" / "bin" / "python"))
    monkeypatch.setitem(sys.modules, "_pystatic", FakeBlob(ENTRIES))
    # As in the binary: top-level modules, the tree imported by the others.
    for name in ("_pystatic_tree", "_pystatic_files", "_pystatic_extract"):
        spec = importlib.util.spec_from_file_location(name, RUNTIME / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)
        spec.loader.exec_module(module)
    files, extract = sys.modules["_pystatic_files"], sys.modules["_pystatic_extract"]
    # One namespace for the tests: the handlers, and extract_packages' extract and cache.
    files.root, files.extract, files._extracted = str(executable), extract.extract, extract._extracted
    return files


def test_tree_has_packages_data_and_metadata_directories_and_source_files(view):
    assert view.children("") == ["ns", "pkg", "pkg-1.0.dist-info"]
    assert view.children("pkg") == ["__init__.py", "data", "mod.py", "sub"]  # no source: no file
    assert view.children("pkg/sub") == ["leaf.py"]
    assert view.children("pkg/data") == ["a.txt", "deep"]
    assert view.is_dir("ns") and view.is_dir("pkg/data/deep") and not view.is_dir("pkg/mod.py")
    assert view.is_file("pkg/mod.py") and view.is_file("pkg/__init__.py") and not view.is_file("pkg/sub/__init__.py")
    assert not view.is_file("pkg/nosource.py") and not view.is_file("pkg/sub.py") and not view.is_dir("pkg/missing")
    assert view.read("pkg/sub/leaf.py") == b"leaf = True\n" and view.read("pkg-1.0.dist-info/METADATA") == b"Name: pkg\n"


def test_open_reads_text_and_binary_with_seek_tell_readinto(view):
    path = view.root + "/pkg/data/a.txt"
    with view.open(path) as f:
        assert f.read() == "alpha\nbeta\n" and f.name == path and f.mode == "r"
    with view.open(path, newline="") as f:
        assert f.readline() == "alpha\r\n"
    with view.open(view.root + "/pkg/data/deep/b.bin", "rb") as f:
        f.seek(10)
        buffer = bytearray(3)
        assert f.readinto(buffer) == 3 and bytes(buffer) == b"\x0a\x0b\x0c" and f.tell() == 13
        assert f.peek(1)[:1] == b"\x0d" and f.tell() == 13 and not f.writable()
        with pytest.raises(io.UnsupportedOperation):
            f.write(b"x")
        with pytest.raises(io.UnsupportedOperation):
            f.fileno()
    assert view.open(view.root + "/pkg/mod.py", encoding="ascii").read() == "x = 1\ny = 2\n"
    assert view.open_code(view.root + "/pkg/mod.py").read() == b"x = 1\ny = 2\n"


def test_open_errors_are_the_ones_a_read_only_file_system_gives(view):
    with pytest.raises(FileNotFoundError) as missing:
        view.open(view.root + "/pkg/data/none.txt")
    assert missing.value.errno == errno.ENOENT and missing.value.filename == view.root + "/pkg/data/none.txt"
    with pytest.raises(IsADirectoryError):
        view.open(view.root + "/pkg/data")
    for mode in ("w", "a", "x", "r+", "wb"):
        with pytest.raises(OSError) as written:
            view.open(view.root + "/pkg/data/a.txt", mode)
        assert written.value.errno == errno.EROFS and "embedded in the executable" in str(written.value)
    with pytest.raises(OSError) as removed:
        view.changes(view.root + "/pkg/data/a.txt")
    assert removed.value.errno == errno.EROFS and removed.value.filename == view.root + "/pkg/data/a.txt"
    with pytest.raises(FileNotFoundError):  # what `try: os.remove(p) except FileNotFoundError` expects
        view.changes(view.root + "/pkg/data/gone.pyc")
    with pytest.raises(FileExistsError):
        view.creates(view.root + "/pkg/data")
    with pytest.raises(OSError) as made:
        view.creates(view.root + "/pkg/new", 0o777)
    assert made.value.errno == errno.EROFS
    with pytest.raises(OSError) as moved:
        view.moves("/tmp/elsewhere", view.root + "/pkg/data/a.txt")
    assert moved.value.errno == errno.EROFS and moved.value.filename == view.root + "/pkg/data/a.txt"
    with pytest.raises(FileNotFoundError):
        view.moves(view.root + "/pkg/none", "/tmp/x")
    assert view.moves("/tmp/elsewhere", view.root + "-not-below") is NotImplemented
    assert view.changes(3) is NotImplemented and view.creates_second(view.root + "/pkg", "/tmp/link") is NotImplemented


def test_stat_listdir_scandir_access(view):
    st = view.stat(view.root + "/pkg/data/deep/b.bin")
    assert st.st_size == 256 and st.st_mode == 0o100644 and st.st_mtime == os.stat(view.root).st_mtime
    assert view.stat(view.root + "/pkg/mod.py").st_size == len(b"x = 1\ny = 2\n")
    assert view.stat(view.root + "/pkg/data").st_mode == 0o040755 and view.lstat(view.root + "/ns").st_mode == 0o040755
    assert view.stat(view.root + "/pkg/data").st_ino == view.stat(view.root + "/pkg/data/").st_ino
    with pytest.raises(FileNotFoundError):
        view.stat(view.root + "/pkg/nothing")
    assert view.listdir(view.root + "/pkg/data") == ["a.txt", "deep"]
    assert view.listdir(os.fsencode(view.root + "/pkg/data")) == [b"a.txt", b"deep"]
    with pytest.raises(NotADirectoryError):
        view.listdir(view.root + "/pkg/mod.py")
    with view.scandir(view.root + "/pkg/data") as entries:
        found = {e.name: (e.is_dir(), e.is_file(), e.is_symlink(), e.path) for e in entries}
    assert found == {
        "a.txt": (False, True, False, view.root + "/pkg/data/a.txt"),
        "deep": (True, False, False, view.root + "/pkg/data/deep"),
    }
    assert view.access(view.root + "/pkg/data/a.txt", os.R_OK) and not view.access(view.root + "/pkg/data/a.txt", os.W_OK)
    assert view.access(view.root + "/pkg", os.X_OK) and not view.access(view.root + "/pkg/x", os.F_OK)
    assert view.listxattr(view.root + "/pkg") == []


def test_other_forms_of_the_same_path_resolve_and_outside_paths_are_left_alone(view, tmp_path, monkeypatch):
    link = tmp_path / "link-to-tool"
    link.symlink_to(view.root)
    assert view.stat(f"{link}/pkg/data/a.txt").st_size == 12
    monkeypatch.chdir(tmp_path / "bin")
    assert view.listdir("tool/pkg/sub") == ["leaf.py"]
    assert view.listdir(pathlib.Path("tool", "pkg", "sub")) == ["leaf.py"]
    assert view.stat(view.root + "/pkg/./data/../mod.py").st_size == 12
    # As the kernel does: a path cannot leave a regular file through "..".
    assert view.stat(view.root + "/../tool/pkg") is NotImplemented
    (tmp_path / "other").write_text("x")
    assert view.stat(str(tmp_path / "other") + "/pkg") is NotImplemented
    assert view.stat(str(tmp_path)) is NotImplemented and view.open(str(tmp_path / "other")) is NotImplemented
    assert view.stat(3) is NotImplemented


def test_extract_writes_a_read_only_copy_once_per_blob(view, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    base = view.extract("pkg")
    assert base == str(cache / "rules_pystatic" / "extract" / ("ab" * 32))
    root = pathlib.Path(base, "pkg")
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert written == ["__init__.py", "data/a.txt", "data/deep/b.bin", "mod.py", "sub/leaf.py"]
    assert (root / "data" / "a.txt").read_bytes() == b"alpha\r\nbeta\n"
    assert (root / "mod.py").stat().st_mode & 0o777 == 0o444 and root.stat().st_mode & 0o777 == 0o555
    assert os.listdir(base) == ["pkg"]  # the staging directory is gone
    view._extracted.clear()
    mtime = (root / "mod.py").stat().st_mtime_ns
    assert view.extract("pkg") == base and (root / "mod.py").stat().st_mtime_ns == mtime


def test_extract_falls_back_to_a_private_temporary_directory_then_fails_clearly(view, tmp_path, monkeypatch):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setenv("HOME", str(blocked))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    base = view.extract("pkg.sub")
    assert base.startswith(str(tmp_path / "tmp")) and pathlib.Path(base, "pkg/sub/leaf.py").read_text() == "leaf = True\n"
    view._extracted.clear()
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))  # as if no candidate were writable
    with pytest.raises(ImportError) as error:
        view.extract("pkg")
    assert "cannot extract package 'pkg' (extract_packages)" in str(error.value) and "XDG_CACHE_HOME" in str(error.value)


def test_stat_template_for_the_c_path_is_an_entry_s_stat_but_mode_inode_size_and_blocks(view):
    """runtime/tree_stat.c copies the template and fills in mode, inode, size and st_blocks."""
    proto, n_fields, blocks_index, root = sys.modules["_pystatic"].stat_template
    assert root == view.root + "/" and n_fields == os.stat_result.n_fields
    visible, extra = proto.__reduce__()[1]
    assert blocks_index == os.stat_result.n_sequence_fields + list(extra).index("st_blocks")
    real_visible, real_extra = view.stat(view.root + "/pkg/data/a.txt").__reduce__()[1]
    filled = {0, 1, 6}
    assert [v for i, v in enumerate(visible) if i not in filled] == [v for i, v in enumerate(real_visible) if i not in filled]
    assert {k: v for k, v in extra.items() if k != "st_blocks"} == {k: v for k, v in real_extra.items() if k != "st_blocks"}
