"""importlib.resources and importlib.metadata over the resource blob.

Imported on first use by PyStaticImporter. Package data files are blob entries named by their
path (`pkg/sub/file.txt`); a module's source appears as `pkg/mod.py`, a subpackage as a
directory, as on disk: the tree of runtime/_pystatic_tree.py. Distribution metadata entries are `<name>-<version>.dist-info/<file>`.
Reading never touches the file system.

importlib.resources / importlib.metadata are looked up at run time, not imported statically:
with stdlib = "imported" the pack step follows static imports, and this module ships with every
binary, while those packages are only needed by apps that import them (and so ship them).
"""

import io
import posixpath
import sys

import _pystatic
import _pystatic_tree


def _stdlib(name):
    # sys.modules, not fromlist=["_"]: see _pystatic_bootstrap._import.
    __import__(name)  # a name in a variable: no edge for the import scan
    return sys.modules[name]


_classes = {}


def _class(name):
    """The classes below, built on first use over the importlib base classes. The distribution class
    is built apart: it needs importlib.metadata, which an app that only reads resources does not ship."""
    if name not in _classes:
        _classes.update(_build_distribution_class() if name == "EmbeddedDistribution" else _build_classes())
    return _classes[name]


def _normalize(name):
    """PEP 503 name, with underscores as importlib.metadata compares .dist-info names."""
    return "".join("_" if c in "-_." else c for c in name.lower())


def find_distributions(root, context=None):
    name = getattr(context, "name", None)
    dist_infos = sorted({entry.split("/", 1)[0] for entry in _pystatic.names(_pystatic.METADATA, "")})
    for dist_info in dist_infos:
        if name is None or _normalize(dist_info[: -len(".dist-info")].rsplit("-", 1)[0]) == _normalize(name):
            yield _class("EmbeddedDistribution")(root, dist_info)


def _build_classes():
    Traversable = _stdlib("importlib.resources.abc").Traversable
    TraversableResources = _stdlib("importlib.resources.abc").TraversableResources

    class EmbeddedPath(Traversable):
        """A file or directory inside the executable: `key` is its path below the virtual root."""

        def __init__(self, root, key):
            self._root = root
            self._key = key

        def __repr__(self):
            return f"EmbeddedPath({self._root!r}, {self._key!r})"

        def __str__(self):
            # The OS's separator, as the importer's __file__ (`<exe>\pkg\data.txt` on Windows).
            sep = "\\" if sys.platform == "win32" else "/"
            return self._root + sep + self._key.replace("/", sep)

        # A path-like object, as PathDistribution.locate_file's pathlib.Path is: `Path(file.locate())`
        # (cmake's package finds its programs so), `open()` and `os.fspath()` go through the file view.
        __fspath__ = __str__

        def __eq__(self, other):
            return isinstance(other, EmbeddedPath) and (self._root, self._key) == (other._root, other._key)

        def __hash__(self):
            return hash((self._root, self._key))

        @property
        def name(self):
            return posixpath.basename(self._key)

        # What pathlib.Path and zipfile.Path (the stdlib's own Traversables) both have beyond the ABC:
        # packages call them on files() (pyfiglet's fonts: `path.exists()`).
        @property
        def suffix(self):
            return posixpath.splitext(self.name)[1]

        @property
        def suffixes(self):
            return ["." + part for part in self.name.lstrip(".").split(".")[1:]]

        @property
        def stem(self):
            return posixpath.splitext(self.name)[0]

        @property
        def parent(self):
            return EmbeddedPath(self._root, posixpath.dirname(self._key))

        def exists(self):
            return self.is_file() or self.is_dir()

        def is_file(self):
            return _pystatic_tree.is_file(self._key)

        def is_dir(self):
            return _pystatic_tree.is_dir(self._key)

        def iterdir(self):
            if not self.is_dir():
                raise NotADirectoryError(str(self))
            return iter([EmbeddedPath(self._root, f"{self._key}/{child}") for child in _pystatic_tree.children(self._key)])

        def joinpath(self, *descendants):
            key = posixpath.normpath(posixpath.join(self._key, *descendants))
            if key.startswith("../") or key == "..":
                raise ValueError(f"{'/'.join(descendants)} leaves {self}")
            return EmbeddedPath(self._root, key)

        __truediv__ = joinpath

        def read_bytes(self):
            return _pystatic_tree.read(self._key)

        def read_text(self, encoding="utf-8", errors="strict"):
            return self.read_bytes().decode(encoding, errors)

        def open(self, mode="r", *args, **kwargs):
            if mode not in ("r", "rb"):
                raise ValueError(f"{self}: embedded resources are read-only (mode {mode!r})")
            stream = io.BytesIO(self.read_bytes())
            return stream if mode == "rb" else io.TextIOWrapper(stream, *args, **kwargs)


    common = _stdlib("importlib.resources._common")
    generic_as_file = common.as_file.dispatch(object)

    @common.as_file.register(EmbeddedPath)
    @_stdlib("contextlib").contextmanager
    def _as_file(path):
        """importlib.resources.as_file: a file keeps its name, in a temporary directory of its own
        (importlib's temporary file would be `tmpXXXX<name>`; ensurepip hands pip the pip wheel's
        name, which must stay a wheel's). Directories as importlib copies them."""
        if not path.is_file():
            with generic_as_file(path) as copy:
                yield copy
            return
        with _stdlib("tempfile").TemporaryDirectory() as directory:
            copy = _stdlib("pathlib").Path(directory, path.name)
            copy.write_bytes(path.read_bytes())
            yield copy

    class Reader(TraversableResources):
        """Resource reader of one embedded package; of its extracted copy's real files (extract_packages)."""

        def __init__(self, root, package, extracted):
            key = package.replace(".", "/")
            self._files = _stdlib("pathlib").Path(root, key) if extracted else EmbeddedPath(root, key)

        def files(self):
            return self._files

    return {"EmbeddedPath": EmbeddedPath, "Reader": Reader}


def _build_distribution_class():
    Distribution = _stdlib("importlib.metadata").Distribution
    EmbeddedPath = _class("EmbeddedPath")

    class EmbeddedDistribution(Distribution):
        """A distribution whose .dist-info directory is embedded (importlib.metadata.version() etc.)."""

        def __init__(self, root, dist_info):
            self._root = root
            self._dist_info = dist_info

        def read_text(self, filename):
            try:
                return _pystatic.read(_pystatic.METADATA, f"{self._dist_info}/{filename}").decode("utf-8")
            except FileNotFoundError:
                return None

        def locate_file(self, path):
            return EmbeddedPath(self._root, str(path))

        @property
        def _path(self):
            """PathDistribution's directory, which code reads though it is private (poetry's installed
            repository sorts and reads distributions by it): the .dist-info below the executable,
            served by the file view."""
            return _stdlib("pathlib").Path(self._root, self._dist_info)

    return {"EmbeddedDistribution": EmbeddedDistribution}


def reader(root, package, extracted=False):
    """Resource reader of one embedded package (PyStaticImporter.get_resource_reader)."""
    return _class("Reader")(root, package, extracted)
