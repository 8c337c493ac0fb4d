"""Stand-ins for the wheels repository's tests: small wheels and sdists, a fetch from a directory, and
the Repository that wheel_repo.main() makes of them (resolve.py's plan, rendered by render.py)."""

import hashlib
import pathlib
import tarfile
import zipfile

from wheel_targets import TARGETS

from pystatic.repository.wheels.platforms import platforms_of
from pystatic.repository.wheels.render import render, summary_of, write_files
from pystatic.repository.wheels.resolve import Resolver


class Repository:
    """What wheel_repo.main() does, with stand-in fetchers: resolve(), then write() the rendered files."""

    def __init__(self, lock, repo_dir, python, python_version, abiflags="", python_build="", python_flag="", rows=TARGETS,
                 **kwargs):
        self.repo_dir = pathlib.Path(repo_dir)
        self.python_build, self.python_flag = python_build, python_flag
        self.resolver = Resolver(lock, repo_dir, python, platforms_of(rows, python_version, abiflags), **kwargs)

    def resolve(self):
        self.plan = self.resolver.resolve()
        return self.plan

    def write(self, rules_bzl, sdist_bzl=""):
        write_files(self.repo_dir, render(self.plan, rules_bzl, sdist_bzl, self.python_build, self.python_flag))
        return summary_of(self.plan)


def make_wheel(directory, filename, requires=(), files=None):
    """A small wheel: METADATA with Requires-Dist lines, plus `files` {path: text}."""
    name, version = filename.split("-")[:2]
    path = pathlib.Path(directory) / filename
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
    members = {f"{name}-{version}.dist-info/METADATA": meta, f"{name}-{version}.dist-info/RECORD": ""}
    members.update(files or {f"{name}/__init__.py": ""})
    with zipfile.ZipFile(path, "w") as zf:
        for rel, text in members.items():
            # A fixed date: the same wheel written twice (an index rewritten) has the same sha256,
            # whichever second each was written in.
            zf.writestr(zipfile.ZipInfo(rel, date_time=(1980, 1, 1, 0, 0, 0)), text)
    return path


def make_sdist(directory, name, version, requires=()):
    """A small sdist: its PKG-INFO with Requires-Dist lines."""
    info = pathlib.Path(directory) / "PKG-INFO"
    info.write_text(f"Metadata-Version: 2.2\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires))
    path = pathlib.Path(directory) / f"{name}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        tf.add(info, arcname=f"{name}-{version}/PKG-INFO")
    return path


def sha(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def fake_fetch(index, tamper=False):
    fetched = []

    def fetch(python, package, platform, wheel, work):
        fetched.append(wheel.filename)
        path = index / wheel.filename
        if tamper:
            copy = pathlib.Path(work) / wheel.filename
            copy.write_bytes(path.read_bytes() + b"x")
            return copy
        return path

    fetch.fetched = fetched
    return fetch
