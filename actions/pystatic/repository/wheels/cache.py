"""The fetch's cache of downloaded files, by sha256: a pin that did not change is not fetched again.

The whole lock is one repository, so Bazel fetches all of it again when anything in the lock (or
the ruleset's fetch code) changes; this cache keeps that to pip runs for the files that changed.
Its root is $PYSTATIC_WHEEL_CACHE, by default ${XDG_CACHE_HOME:-~/.cache}/rules_pystatic/wheels
(`off` turns it off). Layout:

    files/<sha256[:2]>/<sha256>/<file name>   a wheel or sdist as pip downloaded it
    picks/<key>                                the sha256 pip picked for a requirements.txt pin, which
                                               names hashes but no files; the key is the sha256 of what
                                               decided the pick (name, version, hashes, pip's options)

Safe to share between workspaces and Bazel versions, and to delete at any time: a file is used only
if its sha256 is the one it is filed under and one the lock pins (checked at every read; a file that
does not match is deleted and fetched again), and nothing depends on its presence: a miss, or a
cache that cannot be read or written, fetches with pip exactly as without it.
"""

import hashlib
import json
import os
import pathlib
import shutil
import sys
import tempfile

from pystatic.repository.hashing import sha256_of
from pystatic.repository.wheels.fetch import build_tool_options, pip_wheel_options

ENV = "PYSTATIC_WHEEL_CACHE"
OFF = "off"


def cache_root(environ=None):
    """The cache's directory from the environment, or None when $PYSTATIC_WHEEL_CACHE is `off`."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV):
        if environ[ENV] == OFF:
            return None
        root = pathlib.Path(os.path.expanduser(environ[ENV]))
        if not root.is_absolute():  # the fetch runs inside the repository, which Bazel deletes
            print(f"pystatic.wheels: {ENV}={environ[ENV]} is not an absolute path: the download cache is not used. "
                  f"Fix: set it to an absolute path (or to `{OFF}`)", file=sys.stderr)
            return None
        return root
    base = environ.get("XDG_CACHE_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "rules_pystatic" / "wheels"


def pick_key(kind, package, options):
    """The key of a requirements.txt pin's pick: everything pip's choice among the pinned files depends on."""
    facts = [kind, package.key, package.version, sorted(package.hashes), list(options)]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


class FetchCache:
    """Wraps the fetchers of fetch.py (or tests' stand-ins): a hit returns the cached file, a miss
    fetches and files what was fetched. `hits` and `misses` count the files, for the fetch's summary."""

    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.hits = self.misses = 0
        self.broken = False  # the cache could not be used: warned once, then fetched without it

    def _warn(self, err):
        if not self.broken:
            print(f"pystatic.wheels: the download cache {self.root} cannot be used ({err}); fetching without it. "
                  f"Fix: make it writable, or set {ENV} to another directory (or to `{OFF}`)", file=sys.stderr)
        self.broken = True

    def lookup(self, sha256):
        """The cached file whose content has this sha256, or None; a file that does not is deleted."""
        if self.broken:
            return None
        directory = self.root / "files" / sha256[:2] / sha256
        try:
            for path in directory.iterdir() if directory.is_dir() else ():
                if path.name.startswith(".") or not path.is_file():
                    continue
                if sha256_of(path) == sha256:
                    return path
                print(f"pystatic.wheels: {path} in the download cache is not the file of sha256 {sha256}: fetched again",
                      file=sys.stderr)
                path.unlink()
        except OSError:  # e.g. deleted meanwhile by another fetch that found it corrupt: a miss
            pass
        return None

    def store(self, path, sha256):
        """Files a fetched file under its sha256 (written beside, then renamed: readers never see half a file)."""
        if self.broken:
            return
        directory = self.root / "files" / sha256[:2] / sha256

        def copy(out):
            with open(path, "rb") as src:
                shutil.copyfileobj(src, out)

        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._write(directory, pathlib.Path(path).name, copy)
        except OSError as err:
            self._warn(err)

    @staticmethod
    def _write(directory, name, write):
        """write(file) into a hidden file beside `name`, renamed to it when complete (removed if not)."""
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".")
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
            os.replace(tmp, directory / name)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def picked(self, key, allowed):
        """The file pip picked before for this key, if it is still cached and one of `allowed`."""
        try:
            sha256 = (self.root / "picks" / key).read_text().strip()
        except OSError:
            return None
        return self.lookup(sha256) if sha256 in allowed else None

    def has_pick(self, key, allowed):
        """Whether a pick for this key and its file are there; unchecked (the fetch that takes the file checks it)."""
        try:
            sha256 = (self.root / "picks" / key).read_text().strip()
            directory = self.root / "files" / sha256[:2] / sha256
            return sha256 in allowed and any(not p.name.startswith(".") for p in directory.iterdir())
        except OSError:
            return False

    def remember(self, key, sha256):
        if self.broken:
            return
        picks = self.root / "picks"
        try:
            picks.mkdir(parents=True, exist_ok=True)
            self._write(picks, key, lambda out: out.write((sha256 + "\n").encode()))
        except OSError as err:
            self._warn(err)

    def _get(self, pinned, key, allowed, fetch):
        """The file of `pinned` (a sha256), or of the pick `key` among `allowed`: from the cache, or fetch()."""
        hit = self.lookup(pinned) if pinned else self.picked(key, allowed)
        if hit is not None:
            self.hits += 1
            return hit
        self.misses += 1
        path = fetch()
        digest = sha256_of(path)
        if digest in allowed:  # the caller reports any other file
            self.store(path, digest)
            if not pinned:
                self.remember(key, digest)
        return path

    def wheels(self, fetch):
        """fetch(python, package, platform, wheel, work) of fetch.py's fetch_with_pip, cached."""

        def cached(python, package, platform, wheel, work):
            key = None if wheel else pick_key("wheel", package, pip_wheel_options(platform))
            allowed = [wheel.sha256] if wheel else package.hashes
            return self._get(wheel and wheel.sha256, key, allowed,
                             lambda: fetch(python, package, platform, wheel, work))

        return cached

    def sdists(self, fetch):
        """fetch(python, package, work) of fetch_sdist_with_pip, cached."""

        def cached(python, package, work):
            pinned = package.sdist.sha256 if package.sdist and package.sdist.sha256 else None
            allowed = [pinned] if pinned else package.hashes
            if not allowed:  # fetch() explains that the lock pins no sdist
                return fetch(python, package, work)
            return self._get(pinned, None if pinned else pick_key("sdist", package, []), allowed,
                             lambda: fetch(python, package, work))

        return cached

    def build_tools(self, fetch):
        """fetch(python, package, platform, work) of fetch_build_tool_with_pip, cached."""

        def cached(python, package, platform, work):
            key = pick_key("build_tool", package, build_tool_options(package, platform))
            return self._get(None, key, package.hashes, lambda: fetch(python, package, platform, work))

        return cached
