"""The fetch's download cache (repository/wheels/cache.py): a pin that did not change is not fetched again.

Stand-ins for pip count what is fetched; the cache wraps them as wheel_repo.main() wraps pip's.
"""

import json
import pathlib

import pytest
from wheel_repos import Repository, make_wheel, sha
from wheel_targets import ARM, TARGETS, WITH_WINDOWS, X86

from pystatic.repository import wheel_repo
from pystatic.repository.wheels import cache as cache_module
from pystatic.repository.wheels.cache import FetchCache, cache_root, pick_key
from pystatic.repository.wheels.fetch import build_tool_options, pip_wheel_options
from pystatic.repository.wheels.lock import LockedPackage, LockedWheel, read_lock
from pystatic.repository.wheels.platforms import platforms_of
from pystatic.repository.wheels.prefetch import FAILED_PIN, prefetch, prefetch_lock


class Index:
    """A stand-in for pip and its index: wheels by name, the fetched ones counted.

    With a pylock.toml the caller names the wheel; with a requirements.txt (no file names), like
    pip, it picks the best pinned wheel for the platform (a musllinux one before a pure one).
    """

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.fetched = []

    def fetch(self, python, package, platform, wheel, work):
        if wheel is None:
            files = [p for p in sorted(self.directory.glob(f"{package.name}-{package.version}-*.whl")) if sha(p) in package.hashes]
            fitting = [p for p in files if platform.cpu in p.name] or [p for p in files if p.name.endswith("-none-any.whl")]
            wheel = LockedWheel(fitting[0].name, sha(fitting[0]))
        self.fetched.append(wheel.filename)
        copy = pathlib.Path(work) / wheel.filename
        copy.write_bytes((self.directory / wheel.filename).read_bytes())
        return copy


def write_index(directory, armonly_version="1"):
    index = pathlib.Path(directory)
    index.mkdir(exist_ok=True)
    make_wheel(index, "app-1.0-py3-none-any.whl", requires=["dep>=1", 'armonly; platform_machine == "aarch64"'])
    make_wheel(index, "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl",
               files={"dep/__init__.py": "try:\n    from ._c import f\nexcept ImportError:\n    f = None\n",
                      "dep/_c.cpython-313-x86_64-linux-musl.so": "ELF"})
    make_wheel(index, "dep-2.0-py3-none-any.whl")
    make_wheel(index, f"armonly-{armonly_version}-py3-none-any.whl")
    return index


def write_pylock(path, index):
    entries = {}
    for wheel in sorted(index.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        entries.setdefault((name, version), []).append(wheel)
    path.write_text('lock-version = "1.0"\n' + "".join(
        f'[[packages]]\nname = "{n}"\nversion = "{v}"\nwheels = [' + ", ".join(
            f'{{ name = "{w.name}", hashes = {{ sha256 = "{sha(w)}" }} }}' for w in ws) + "]\n"
        for (n, v), ws in sorted(entries.items())))
    return path


def write_requirements(path, index):
    pins = {}
    for wheel in sorted(index.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        pins.setdefault(f"{name}=={version}", []).append(sha(wheel))
    path.write_text("".join(f"{pin} " + " ".join(f"--hash=sha256:{h}" for h in hashes) + "\n" for pin, hashes in sorted(pins.items())))
    return path


def fetch_once(lock, repo_dir, cache, index):
    """One fetch of the repository, as wheel_repo.main() does it: returns (what the index served, BUILD.bazel)."""
    index.fetched.clear()
    repo = Repository(lock, repo_dir, "python3", "3.13.15", fetch=cache.wheels(index.fetch))
    repo.resolve()
    repo.write("@r//rules/private:wheel.bzl")
    return sorted(index.fetched), (pathlib.Path(repo_dir) / "BUILD.bazel").read_text()


@pytest.mark.parametrize("kind", ["pylock.toml", "requirements.txt"])
def test_a_second_fetch_takes_every_file_from_the_cache_and_writes_the_same_repository(tmp_path, kind):
    index = Index(write_index(tmp_path / "index"))
    lock = (write_pylock if kind == "pylock.toml" else write_requirements)(tmp_path / kind, index.directory)
    cache = FetchCache(tmp_path / "cache")
    first, build = fetch_once(lock, tmp_path / "repo1", cache, index)
    # A requirements.txt names no files: pip is asked once per platform (its picks are kept per platform).
    assert sorted(set(first)) == ["app-1.0-py3-none-any.whl", "armonly-1-py3-none-any.whl",
                                  "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl", "dep-2.0-py3-none-any.whl"]
    assert len(first) == (4 if kind == "pylock.toml" else 6)
    cache = FetchCache(tmp_path / "cache")
    again, build_again = fetch_once(lock, tmp_path / "repo2", cache, index)
    assert again == [] and cache.misses == 0 and cache.hits >= 4
    assert build_again == build
    assert (tmp_path / "repo2" / "_whl" / "dep-2.0-py3-none-any" / "dep-2.0.dist-info" / "METADATA").exists()


@pytest.mark.parametrize("kind", ["pylock.toml", "requirements.txt"])
def test_a_changed_pin_fetches_only_that_package(tmp_path, kind):
    index = Index(write_index(tmp_path / "index"))
    write = write_pylock if kind == "pylock.toml" else write_requirements
    lock = write(tmp_path / kind, index.directory)
    fetch_once(lock, tmp_path / "repo1", FetchCache(tmp_path / "cache"), index)
    (index.directory / "armonly-1-py3-none-any.whl").unlink()
    write_index(index.directory, armonly_version="2")
    write(lock, index.directory)
    fetched, build = fetch_once(lock, tmp_path / "repo2", FetchCache(tmp_path / "cache"), index)
    assert sorted(set(fetched)) == ["armonly-2-py3-none-any.whl"]
    assert "armonly-2-py3-none-any" in build and "armonly-1-" not in build


@pytest.mark.parametrize("kind", ["pylock.toml", "requirements.txt"])
def test_a_corrupt_cached_file_is_deleted_and_fetched_again(tmp_path, kind):
    index = BatchIndex(write_index(tmp_path / "index"))
    lock = (write_pylock if kind == "pylock.toml" else write_requirements)(tmp_path / kind, index.directory)
    fetch_once(lock, tmp_path / "repo1", FetchCache(tmp_path / "cache"), index)
    wheel = index.directory / "dep-2.0-py3-none-any.whl"
    cached = tmp_path / "cache" / "files" / sha(wheel)[:2] / sha(wheel) / wheel.name
    cached.write_bytes(b"not the wheel")
    # The prefetch does not read the files (one pip run is not worth a second reading of the cache): the fetch checks them.
    assert prefetch("python3", read_lock(lock), [ARM], FetchCache(tmp_path / "cache"), tmp_path, index.download) == 0
    fetched, build = fetch_once(lock, tmp_path / "repo2", FetchCache(tmp_path / "cache"), index)
    assert fetched == ["dep-2.0-py3-none-any.whl"]
    assert "cannot be used" not in build and cached.read_bytes() == wheel.read_bytes()


def test_a_pick_is_used_only_for_the_hashes_it_was_made_among(tmp_path):
    # requirements.txt: the pick remembers pip's choice for exactly these pins; a pick whose file is
    # not a pinned hash (or whose file is gone) makes the fetch ask pip again.
    index = Index(write_index(tmp_path / "index"))
    lock = write_requirements(tmp_path / "requirements.txt", index.directory)
    fetch_once(lock, tmp_path / "repo1", FetchCache(tmp_path / "cache"), index)
    cache = FetchCache(tmp_path / "cache")
    dep = LockedPackage("dep", "2.0", hashes=[sha(p) for p in sorted(index.directory.glob("dep-*.whl"))])
    key = pick_key("wheel", dep, pip_wheel_options(X86))
    assert cache.picked(key, dep.hashes).name == "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert cache.picked(key, dep.hashes[:0]) is None
    assert cache.has_pick(key, dep.hashes) and not cache.has_pick(key, dep.hashes[:0]) and not cache.has_pick("0" * 64, dep.hashes)
    assert pick_key("wheel", LockedPackage("dep", "2.0", hashes=dep.hashes[:1]), pip_wheel_options(X86)) != key
    (tmp_path / "cache" / "picks" / key).write_text("0" * 64 + "\n")
    assert cache.picked(key, dep.hashes + ["0" * 64]) is None


def test_a_fetched_file_that_is_not_pinned_is_not_cached(tmp_path):
    index = write_index(tmp_path / "index")
    wheel = index / "dep-2.0-py3-none-any.whl"
    cache = FetchCache(tmp_path / "cache")
    package = LockedPackage("dep", "2.0", wheels=[LockedWheel(wheel.name, "f" * 64)])
    path = cache.wheels(lambda *args: wheel)("python3", package, X86, package.wheels[0], tmp_path)
    assert path == wheel and not (tmp_path / "cache" / "files").exists()


def test_sdists_and_build_tools_are_cached_by_their_pins(tmp_path):
    archive = tmp_path / "dep-2.0.tar.gz"
    archive.write_bytes(b"sdist")
    tool = make_wheel(tmp_path, "wheel-0.45-py3-none-any.whl")
    calls = []
    cache = FetchCache(tmp_path / "cache")
    sdist = cache.sdists(lambda python, package, work: calls.append(package.name) or archive)
    build_tool = cache.build_tools(lambda python, package, platform, work: calls.append(package.name) or tool)
    pinned = LockedPackage("dep", "2.0", sdist=LockedWheel(archive.name, sha(archive)))
    unnamed = LockedPackage("dep", "2.0", hashes=["0" * 64, sha(archive)])
    wheel = LockedPackage("wheel", "0.45", hashes=[sha(tool)])
    for _ in range(2):
        assert sdist("python3", pinned, tmp_path).read_bytes() == b"sdist"
        assert sdist("python3", unnamed, tmp_path).read_bytes() == b"sdist"
        assert build_tool("python3", wheel, X86, tmp_path).name == tool.name
    assert calls == ["dep", "dep", "wheel"] and cache.hits == 3 and cache.misses == 3
    assert pick_key("build_tool", wheel, build_tool_options(wheel, X86)) in {p.name for p in (tmp_path / "cache" / "picks").iterdir()}


def test_a_cache_that_cannot_be_written_warns_once_and_fetches_as_without_it(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    index = Index(write_index(tmp_path / "index"))
    lock = write_pylock(tmp_path / "pylock.toml", index.directory)
    cache = FetchCache(tmp_path / "file" / "cache")  # below a file: no directory can be made
    fetched, build = fetch_once(lock, tmp_path / "repo", cache, index)
    assert len(fetched) == 4 and cache.broken and "cannot be used" not in build
    assert capsys.readouterr().err.count("the download cache") == 1


def test_the_cache_lives_where_the_environment_says():
    assert cache_root({"PYSTATIC_WHEEL_CACHE": "/c"}) == pathlib.Path("/c")
    assert cache_root({"PYSTATIC_WHEEL_CACHE": "off", "HOME": "/h"}) is None
    assert cache_root({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == pathlib.Path("/x/rules_pystatic/wheels")
    assert cache_root({"HOME": "/h"}) == pathlib.Path("/h/.cache/rules_pystatic/wheels")
    # A relative path would be inside the repository, which Bazel deletes with every fetch.
    assert cache_root({"PYSTATIC_WHEEL_CACHE": "cache", "HOME": "/h"}) is None


def test_no_half_written_file_is_left_behind(tmp_path, monkeypatch):
    wheel = make_wheel(tmp_path, "dep-2.0-py3-none-any.whl")
    cache = FetchCache(tmp_path / "cache")

    def full_disk(src, dst, *args):
        dst.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module.shutil, "copyfileobj", full_disk)
    cache.store(wheel, sha(wheel))
    directory = tmp_path / "cache" / "files" / sha(wheel)[:2] / sha(wheel)
    assert cache.broken and list(directory.iterdir()) == [] and cache.lookup(sha(wheel)) is None


def test_the_repository_script_fetches_through_the_cache(tmp_path, monkeypatch, capsys):
    index = Index(write_index(tmp_path / "index"))
    lock = write_pylock(tmp_path / "pylock.toml", index.directory)
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps(TARGETS))
    monkeypatch.setattr(wheel_repo, "fetch_with_pip", index.fetch)
    monkeypatch.setenv(cache_module.ENV, str(tmp_path / "cache"))
    args = ["--lock", str(lock), "--targets", str(targets), "--python_version", "3.13.15", "--rules_bzl", "@r//:wheel.bzl"]
    assert wheel_repo.main(args + ["--repo_dir", str(tmp_path / "repo1")]) == 0
    assert "4 fetched" in capsys.readouterr().out and len(index.fetched) == 4
    assert wheel_repo.main(args + ["--repo_dir", str(tmp_path / "repo2")]) == 0
    assert "0 fetched" in capsys.readouterr().out and len(index.fetched) == 4
    monkeypatch.setenv(cache_module.ENV, "off")
    assert wheel_repo.main(args + ["--repo_dir", str(tmp_path / "repo3")]) == 0
    assert "download cache" not in capsys.readouterr().out and len(index.fetched) == 8


class BatchIndex(Index):
    """pip downloading many pins in one run (prefetch.pip_download_all); `missing` names pins it has
    no file for: like pip, the whole run then fails naming the first one."""

    def __init__(self, directory, missing=()):
        super().__init__(directory)
        self.runs, self.missing = [], set(missing)

    def download(self, python, pins, options, dest):
        self.runs.append(sorted(p.name for p, _ in pins))
        for package, _ in pins:
            if package.name in self.missing:
                return False, f"ERROR: No matching distribution found for {package.name}=={package.version}\n"
        for package, hashes in pins:
            platform = X86 if any("x86_64" in o for o in options) else ARM
            self.fetch("python3", LockedPackage(package.name, package.version, hashes=hashes), platform, None, dest)
        return True, ""


def test_prefetch_fetches_a_requirements_lock_in_one_pip_run_per_platform(tmp_path):
    index = BatchIndex(write_index(tmp_path / "index"))
    lock = write_requirements(tmp_path / "requirements.txt", index.directory)
    cache = FetchCache(tmp_path / "cache")
    repo = tmp_path / "repo"
    repo.mkdir()
    platforms = platforms_of(TARGETS, "3.13.15")
    assert prefetch_lock("python3", lock, "", [], platforms, cache, repo, index.download) == 6
    assert index.runs == [["app", "armonly", "dep"]] * 2
    index.fetched.clear()
    fetched, build = fetch_once(lock, repo, FetchCache(tmp_path / "cache"), index)
    assert fetched == [] and "cannot be used" not in build
    # Nothing is missing any more: no pip run at all.
    assert prefetch_lock("python3", lock, "", [], platforms, cache, repo, index.download) == 0 and len(index.runs) == 2
    # Windows takes the pure picks of the platforms before it (resolve.py): pip is not run for it.
    assert prefetch_lock("python3", lock, "", [], platforms_of(WITH_WINDOWS, "3.13.15"), cache, repo, index.download) == 0
    assert len(index.runs) == 2


def test_prefetch_leaves_out_what_pip_cannot_fetch_and_the_resolver_fetches_it_alone(tmp_path):
    index = BatchIndex(write_index(tmp_path / "index"), missing=["armonly"])
    lock = write_requirements(tmp_path / "requirements.txt", index.directory)
    cache = FetchCache(tmp_path / "cache")
    assert prefetch("python3", read_lock(lock), platforms_of(TARGETS, "3.13.15"), cache, tmp_path, index.download) == 4
    assert index.runs == [["app", "armonly", "dep"], ["app", "dep"]] * 2
    fetched, _ = fetch_once(lock, tmp_path / "repo", FetchCache(tmp_path / "cache"), index)
    assert fetched == ["armonly-1-py3-none-any.whl"] * 2


def test_prefetch_picks_what_the_resolvers_own_pip_run_would(tmp_path):
    # The pick of a batch is filed under the very key the one-pin fetch looks up (the same pip options).
    index = BatchIndex(write_index(tmp_path / "index"))
    lock = write_requirements(tmp_path / "requirements.txt", index.directory)
    cache = FetchCache(tmp_path / "cache")
    prefetch("python3", read_lock(lock), [X86], cache, tmp_path, index.download)
    dep = [p for p in read_lock(lock) if p.name == "dep"][0]
    assert cache.picked(pick_key("wheel", dep, pip_wheel_options(X86)), dep.hashes).name == \
        "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl"


def test_pip_names_the_pin_it_cannot_fetch():
    output = ("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.\n"
              "    Click==8.5.1 from file:///x/click-8.5.1-py3-none-any.whl:\n        Expected sha256 00\n")
    assert FAILED_PIN.findall(output) == ["Click"]
    assert FAILED_PIN.findall("ERROR: No matching distribution found for watchdog==7.1.1") == ["watchdog"]
