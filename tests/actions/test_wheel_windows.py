"""A wheels repository with the Windows row among its platforms (the rows of a Python build Windows has):
pure wheels serve Windows, a package without one is built from its locked sdist for Windows, what
Windows cannot use fails analysis there naming why, and every linux-musl target is what it is without
Windows."""

import pytest
from wheel_repos import Repository, fake_fetch, make_sdist, make_wheel, sha
from wheel_targets import WITH_WINDOWS

from pystatic.repository.wheels.lock import LockError, NoWheelForPlatform

RULES = "@rules_pystatic//rules/private:wheel.bzl"
FIX = ("Fix: name the package in `sdists = [...]` of its pystatic.wheels, its sdist locked (it is then built from "
       "source for Windows), or leave the package out of the deps of what you build for "
       "@rules_pystatic//platforms:windows_x86_64")
PURE_ONLY = "(CPython 3.13.15; Windows binaries take pure-Python wheels only, as they cannot load wheels' extension modules yet)"


def pylock(path, entries):
    """A pylock.toml of `entries` [(name, version, marker, wheel paths, sdist path or None)]."""
    text = 'lock-version = "1.0"\n'
    for name, version, marker, wheels, sdist in entries:
        text += f'[[packages]]\nname = "{name}"\nversion = "{version}"\n' + (f"marker = '{marker}'\n" if marker else "")
        text += "wheels = [" + ", ".join(f'{{ name = "{w.name}", hashes = {{ sha256 = "{sha(w)}" }} }}' for w in wheels) + "]\n"
        if sdist:
            text += f'sdist = {{ name = "{sdist.name}", hashes = {{ sha256 = "{sha(sdist)}" }} }}\n'
    path.write_text(text)
    return path


@pytest.fixture
def lock(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    app = make_wheel(index, "app-1.0-py3-none-any.whl", requires=[
        "dep>=1", 'winonly; sys_platform == "win32"', 'posixonly; os_name == "posix"', 'amd; platform_machine == "AMD64"'])
    dep = [make_wheel(index, "dep-2.0-cp313-cp313-win_amd64.whl", files={"dep/__init__.py": "", "dep/_c.cp313-win_amd64.pyd": "MZ"}),
           make_wheel(index, "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl",
                      files={"dep/__init__.py": "", "dep/_c.cpython-313-x86_64-linux-musl.so": "ELF"}),
           make_wheel(index, "dep-2.0-py3-none-any.whl")]
    ext = [make_wheel(index, f"ext-1.0-cp313-cp313-{tag}.whl", files={"ext/__init__.py": "from ext import _c\n", f"ext/_c.{so}": "x"})
           for tag, so in (("musllinux_1_2_x86_64", "cpython-313-x86_64-linux-musl.so"),
                           ("musllinux_1_2_aarch64", "cpython-313-aarch64-linux-musl.so"), ("win_amd64", "cp313-win_amd64.pyd"))]
    # Tagged pure, yet with an extension module inside.
    odd = make_wheel(index, "odd-1-py3-none-any.whl", files={"odd/__init__.py": "", "odd/_speed.pyd": "MZ"})
    pure = {name: [make_wheel(index, f"{name}-1-py3-none-any.whl")] for name in ("winonly", "posixonly", "amd")}
    entries = [("app", "1.0", "", [app], None), ("dep", "2.0", "", dep, None), ("ext", "1.0", "", ext, None),
               ("odd", "1", "", [odd], None), ("winonly", "1", 'sys_platform == "win32"', pure["winonly"], None),
               ("posixonly", "1", "", pure["posixonly"], None), ("amd", "1", "", pure["amd"], None)]
    return pylock(tmp_path / "pylock.toml", entries)


def repository(lock, name, rows=WITH_WINDOWS, **kwargs):
    """The repository's summary and its files {path: text} under lock's directory / name."""
    kwargs.setdefault("fetch", fake_fetch(lock.parent / "index"))
    repo = Repository(lock, lock.parent / name, "python3", "3.13.15", python_build="3.13", python_flag="@@//python:version",
                      rows=rows, **kwargs)
    repo.resolve()
    summary = repo.write(RULES, "@rules_pystatic//rules/private:sdist.bzl")
    files = {p.relative_to(repo.repo_dir).as_posix(): p.read_text() for p in repo.repo_dir.rglob("*.bazel")}
    return summary, files


def rule(build, name):
    """The text of the rule `name` in a BUILD file."""
    opening = build.rindex("\n", 0, build.index(f'    name = "{name}",\n'))  # the end of `rule(`'s line
    start = build.rindex("\n", 0, opening) + 1
    return build[start:build.index("\n)\n", start) + 3]


def test_windows_targets_take_pure_wheels_and_windows_markers(lock):
    fetch = fake_fetch(lock.parent / "index")
    summary, files = repository(lock, "repo", fetch=fetch)
    build = files["BUILD.bazel"]
    assert summary["dep"] == {"x86_64": "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl", "aarch64": "dep-2.0-py3-none-any.whl",
                              "windows_x86_64": "dep-2.0-py3-none-any.whl"}
    assert not [f for f in fetch.fetched if "win_amd64" in f]  # Windows' own wheels are not even fetched
    assert rule(build, "app_windows_x86_64") == (
        'pystatic_wheel(\n    name = "app_windows_x86_64",\n    package = "app",\n    version = "1.0",\n'
        '    wheel = "app-1.0-py3-none-any.whl",\n    srcs = glob(["_whl/app-1.0-py3-none-any/**/*.py"]),\n'
        '    data = glob(["_whl/app-1.0-py3-none-any/**"], exclude = [\n        "_whl/app-1.0-py3-none-any/**/*.py",\n'
        '        "_whl/app-1.0-py3-none-any/**/*.pyc",\n    ]),\n    import_root = "_whl/app-1.0-py3-none-any",\n'
        '    native_files = [],\n    natives = [],\n    built_in = [],\n    deps = [\n        "//:amd_windows_x86_64",\n'
        '        "//:dep_windows_x86_64",\n        "//:winonly_windows_x86_64",\n    ],\n)\n')
    assert '"//:posixonly_x86_64"' in rule(build, "app_x86_64") and "amd" not in rule(build, "app_x86_64")
    assert rule(build, "windows_x86_64") == (
        'config_setting(\n    name = "windows_x86_64",\n    constraint_values = [\n        "@@platforms//os:windows",\n'
        '        "@@platforms//cpu:x86_64",\n        "@@rules_pystatic+//platforms:ucrt",\n    ],\n'
        '    flag_values = {"@@//python:version": "3.13"},\n)\n')
    assert 'name = "windows_x86_64_other_build"' in build
    # The table's order: linux-musl's branches, then Windows'.
    assert files["dep/BUILD.bazel"].split("select({\n")[1].split("    }),")[0] == (
        '        "//:linux_musl_x86_64": "//:dep_x86_64",\n        "//:linux_musl_aarch64": "//:dep_aarch64",\n'
        '        "//:windows_x86_64": "//:dep_windows_x86_64",\n'
        '        "//:linux_musl_x86_64_other_build": "//:wrong_python_build",\n'
        '        "//:linux_musl_aarch64_other_build": "//:wrong_python_build",\n'
        '        "//:windows_x86_64_other_build": "//:wrong_python_build",\n'
        '        "//conditions:default": "//:unsupported_platform",\n')
    assert ("wheels of this repository are for Python 3.13 on its target platforms (--platforms=@rules_pystatic//platforms:"
            "linux_musl or @rules_pystatic//platforms:linux_musl_aarch64 or @rules_pystatic//platforms:windows_x86_64)") in build


def test_what_windows_cannot_load_is_unavailable_there_naming_the_package_the_platform_why_and_the_fix(lock):
    summary, files = repository(lock, "repo")
    build = files["BUILD.bazel"]
    assert rule(build, "ext_windows_x86_64") == (
        'pystatic_wheel_unavailable(\n    name = "ext_windows_x86_64",\n'
        f'    message = "ext 1.0: no wheel in the lock fits x86_64-windows-gnu {PURE_ONLY}: its wheels for Windows are '
        f'platform-specific: ext-1.0-cp313-cp313-win_amd64.whl. {FIX}",\n)\n')
    assert summary["ext"]["x86_64"] == "ext-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert summary["odd"]["windows_x86_64"].startswith("unavailable: odd 1: its wheel odd-1-py3-none-any.whl has extension")
    assert ("odd 1: its wheel odd-1-py3-none-any.whl has extension modules (odd/_speed.pyd), and Windows binaries cannot "
            f"load wheels' extension modules yet (docs/windows.md). {FIX}") in rule(build, "odd_windows_x86_64")
    # On Linux a pure wheel's shared objects are other platforms' (debugpy ships Windows, macOS and glibc
    # ones): data files, not checked or loaded from memory.
    odd_linux = rule(build, "odd_x86_64")
    assert odd_linux.startswith("pystatic_wheel(\n") and "    natives = [],\n" in odd_linux, odd_linux
    assert summary["winonly"]["windows_x86_64"] == "winonly-1-py3-none-any.whl"
    assert "is not for x86_64-linux-musl" in summary["winonly"]["x86_64"]


def blocks(files):
    """Each file's rules and comments, as a set of (path, text) pairs."""
    return {(path, block) for path, text in files.items() for block in text.split("\n\n")}


def test_linux_targets_are_the_same_with_or_without_windows(lock):
    linux_summary, linux = repository(lock, "linux", rows=WITH_WINDOWS[:2])
    summary, both = repository(lock, "both")
    assert {package: {k: v for k, v in cpus.items() if k != "windows_x86_64"} for package, cpus in summary.items()} == linux_summary
    # Only the platform list of the fallback's message and the Windows branches differ.
    changed = sorted(path for path, _ in blocks(linux) - blocks(both))
    assert changed == ["BUILD.bazel"] + sorted(p for p in linux if p != "BUILD.bazel")
    (block,) = [b for p, b in blocks(linux) - blocks(both) if p == "BUILD.bazel"]
    assert 'name = "unsupported_platform"' in block
    for path, text in linux.items():
        if path != "BUILD.bazel":  # the aliases: Windows' branches are added, none other changes
            assert [line for line in both[path].splitlines() if "windows" not in line] == text.splitlines()


@pytest.fixture
def source_lock(tmp_path):
    """ext 1.0: musllinux wheels whose extension has no fallback, a pure wheel, a pinned sdist; the build lock."""
    index = tmp_path / "index"
    index.mkdir()
    wheels = [make_wheel(index, f"ext-1.0-cp313-cp313-musllinux_1_2_{cpu}.whl", requires=["app"], files={
        "ext/__init__.py": "from ext import _c\n", f"ext/_c.cpython-313-{cpu}-linux-musl.so": "ELF"}) for cpu in ("x86_64", "aarch64")]
    wheels.append(make_wheel(index, "ext-1.0-py3-none-any.whl", requires=["app"]))
    entries = [("app", "1.0", "", [make_wheel(index, "app-1.0-py3-none-any.whl")], None),
               ("ext", "1.0", "", wheels, make_sdist(tmp_path, "ext", "1.0", requires=["app"]))]
    tool = make_wheel(index, "setuptools-80.0-py3-none-any.whl")
    (tmp_path / "build.txt").write_text(f"setuptools==80.0 --hash=sha256:{sha(tool)}\n")
    return pylock(tmp_path / "pylock.toml", entries)


def source_repository(lock, name, rows=WITH_WINDOWS, **kwargs):
    sdist, tool = lock.parent / "ext-1.0.tar.gz", lock.parent / "index" / "setuptools-80.0-py3-none-any.whl"
    return repository(lock, name, rows=rows, fetch_sdist=lambda python, package, work: sdist,
                      build_lock=lock.parent / "build.txt", fetch_build_tool=lambda python, package, platform, work: tool,
                      **kwargs)


def test_a_package_named_in_build_from_source_is_built_for_windows_too(source_lock):
    # Built automatically for linux-musl (its wheels' extension has no fallback); Windows keeps the pure
    # wheel, as its binaries load no extension module of a wheel: nothing needs the extension there.
    summary, files = source_repository(source_lock, "auto")
    assert summary["ext"] == {"x86_64": "sdist ext-1.0.tar.gz", "aarch64": "sdist ext-1.0.tar.gz",
                              "windows_x86_64": "ext-1.0-py3-none-any.whl"}
    assert 'deps = [\n        "//:app_windows_x86_64",\n    ],' in rule(files["BUILD.bazel"], "ext_windows_x86_64")
    _, linux = source_repository(source_lock, "auto_linux", rows=WITH_WINDOWS[:2])
    assert {b for b in blocks(linux) if "sdist" in b[1]} <= blocks(files)
    # Named in build_from_source (or by "*"): built for every platform, Windows' deps its own targets.
    for build_from_source in (["ext"], ["*"]):
        summary, files = source_repository(source_lock, "named", build_from_source=build_from_source)
        assert set(summary["ext"].values()) == {"sdist ext-1.0.tar.gz"}
        assert ('pystatic_sdist_package(\n    name = "ext_windows_x86_64",\n    package = "ext",\n    version = "1.0",\n'
                '    sdist = "//:_sdist/ext-1.0.tar.gz",\n    fallback_wheel = "//:_sdist/ext-1.0-py3-none-any.whl",\n'
                ) in rule(files["BUILD.bazel"], "ext_windows_x86_64")
        assert 'deps = [\n        "//:app_windows_x86_64",\n    ],' in rule(files["BUILD.bazel"], "ext_windows_x86_64")


def test_a_hash_only_lock_without_a_pure_wheel_is_built_from_source_on_every_platform(tmp_path):
    """watch 1.0 pins a manylinux wheel and its sdist: no platform takes the wheel, each builds the sdist."""
    index = tmp_path / "index"
    index.mkdir()
    sdist = make_sdist(tmp_path, "watch", "1.0")
    wheel = make_wheel(index, "watch-1.0-py3-none-manylinux_2_17_x86_64.whl")
    lock = tmp_path / "requirements.txt"
    lock.write_text(f"watch==1.0 --hash=sha256:{sha(wheel)} --hash=sha256:{sha(sdist)}\n")
    tool = make_wheel(index, "setuptools-80.0-py3-none-any.whl")
    (tmp_path / "build.txt").write_text(f"setuptools==80.0 --hash=sha256:{sha(tool)}\n")

    def fetch(python, package, platform, wheel, work):
        raise NoWheelForPlatform(f"no wheel in the lock fits {platform.triple} ({platform.wheel_scope}): pip found none")

    summary, files = repository(lock, "repo", fetch=fetch, fetch_sdist=lambda python, package, work: sdist,
                                build_lock=tmp_path / "build.txt", fetch_build_tool=lambda python, package, platform, work: tool)
    assert set(summary["watch"].values()) == {"sdist watch-1.0.tar.gz"}
    assert ("# watch 1.0: built from its sdist (automatic: the lock has no wheel for this platform, only its sdist).\n"
            'pystatic_sdist_package(\n    name = "watch_windows_x86_64",\n') in files["BUILD.bazel"]


def test_a_hash_only_pin_takes_the_pure_wheel_pip_picked_for_linux_and_asks_pip_only_where_it_picked_another(tmp_path):
    """A requirements.txt names hashes, not files: Windows takes the pure wheel pip picked for linux-musl
    without asking pip again; where pip picked a musllinux wheel, pip is asked for a pure one."""
    index = tmp_path / "index"
    index.mkdir()
    names = ["plain-1-py3-none-any.whl", "half-1-cp313-cp313-musllinux_1_2_x86_64.whl", "half-1-py3-none-any.whl",
             "both-1-py3-none-any.whl"] + [f"{name}-1-cp313-cp313-musllinux_1_2_{cpu}.whl"
                                           for name in ("both", "binary") for cpu in ("x86_64", "aarch64")]
    # Each file its own content (and sha256): the wheel's name in a module.
    files = [make_wheel(index, name, files={f"{name.split('-')[0]}/__init__.py": f"# {name}\n"}) for name in names]
    pins = {}
    for path in files:
        pins.setdefault(path.name.split("-")[0], []).append(sha(path))
    lock = tmp_path / "requirements.txt"
    lock.write_text("".join(f"{name}==1 " + " ".join(f"--hash=sha256:{h}" for h in hashes) + "\n" for name, hashes in pins.items()))
    asked = []

    def pip(python, package, platform, wheel, work):
        """As pip picks among the pinned files: the platform's own wheel first, then a pure one."""
        asked.append((package.name, platform.key))
        pinned = [p for p in files if p.name.startswith(package.name + "-")]
        own = [p for p in pinned if platform.loads_extensions and p.name.endswith(f"_{platform.cpu}.whl")]
        fitting = own + [p for p in pinned if p.name.endswith("-none-any.whl")]
        if not fitting:
            raise NoWheelForPlatform(f"no wheel in the lock fits {platform.triple} ({platform.wheel_scope}): pip found none")
        return fitting[0]

    def no_sdist(python, package, work):
        raise LockError(f"could not fetch the sdist of {package.name} {package.version} through pip: none is pinned")

    summary, files_ = repository(lock, "repo", fetch=pip, fetch_sdist=no_sdist)
    assert [key for name, key in asked if key == "windows_x86_64"] == ["windows_x86_64"] * 2
    assert sorted(name for name, key in asked if key == "windows_x86_64") == ["binary", "both"]
    assert summary["plain"]["windows_x86_64"] == summary["plain"]["x86_64"] == "plain-1-py3-none-any.whl"
    # aarch64's pick is pure: Windows takes it.
    assert summary["half"] == {"x86_64": "half-1-cp313-cp313-musllinux_1_2_x86_64.whl", "aarch64": "half-1-py3-none-any.whl",
                               "windows_x86_64": "half-1-py3-none-any.whl"}
    assert summary["both"]["windows_x86_64"] == "both-1-py3-none-any.whl"
    assert summary["binary"]["windows_x86_64"].startswith(
        f"unavailable: binary 1: no wheel in the lock fits x86_64-windows-gnu {PURE_ONLY}: pip found none. {FIX}")


def native_repository(tmp_path, name, with_sdist=True, fetch_build_tool=None, **kwargs):
    """`native` 1.0: win_amd64 and musllinux wheels with extension modules, maybe its sdist (whose PKG-INFO
    requires `helper`); `odd`: a pure-tagged wheel with one, and its sdist; `plain`: a pure wheel and its
    sdist. As the rule's default, no automatic build (auto_build_from_source = False)."""
    index = tmp_path / "index"
    index.mkdir(exist_ok=True)
    native = [make_wheel(index, f"native-1.0-cp313-cp313-{tag}.whl", files={"native/__init__.py": "", f"native/_c.{so}": "x"})
              for tag, so in (("musllinux_1_2_x86_64", "cpython-313-x86_64-linux-musl.so"),
                              ("musllinux_1_2_aarch64", "cpython-313-aarch64-linux-musl.so"), ("win_amd64", "cp313-win_amd64.pyd"))]
    odd = make_wheel(index, "odd-1-py3-none-any.whl", files={"odd/__init__.py": "", "odd/_speed.pyd": "MZ"})
    entries = [("native", "1.0", "", native, make_sdist(tmp_path, "native", "1.0", requires=["helper"]) if with_sdist else None),
               ("odd", "1", "", [odd], make_sdist(tmp_path, "odd", "1")),
               ("plain", "1", "", [make_wheel(index, "plain-1-py3-none-any.whl")], make_sdist(tmp_path, "plain", "1")),
               ("helper", "1", "", [make_wheel(index, "helper-1-py3-none-any.whl")], None)]
    lock = pylock(tmp_path / "pylock.toml", entries)
    tool = make_wheel(index, "setuptools-80.0-py3-none-any.whl")
    (tmp_path / "build.txt").write_text(f"setuptools==80.0 --hash=sha256:{sha(tool)}\n")
    fetch, sdists = fake_fetch(index), []

    def fetch_sdist(python, package, work):
        sdists.append(package.name)
        return tmp_path / f"{package.name}-{package.version}.tar.gz"

    summary, files = repository(lock, name, fetch=fetch, fetch_sdist=fetch_sdist, build_lock=tmp_path / "build.txt",
                                fetch_build_tool=fetch_build_tool or (lambda python, package, platform, work: tool),
                                auto_build=False, **kwargs)
    return summary, files, fetch.fetched, sdists


def test_a_package_without_a_wheel_windows_can_take_is_built_from_its_sdist_for_windows(tmp_path):
    summary, files, fetched, sdists = native_repository(
        tmp_path, "repo", native_libraries=[("native", "@rules_pystatic//native_libraries:libnative")],
        native_env=[("native", "NATIVE_STATIC=1")], sdists=["native", "odd", "plain"])
    build = files["BUILD.bazel"]
    # linux-musl keeps its wheels; Windows, which cannot load them, builds the sdist.
    assert summary["native"] == {"x86_64": "native-1.0-cp313-cp313-musllinux_1_2_x86_64.whl",
                                 "aarch64": "native-1.0-cp313-cp313-musllinux_1_2_aarch64.whl",
                                 "windows_x86_64": "sdist native-1.0.tar.gz"}
    assert not [f for f in fetched if "win_amd64" in f]
    assert rule(build, "native_x86_64").startswith("pystatic_wheel(\n") and "helper" not in rule(build, "native_x86_64")
    # Its deps from the sdist's PKG-INFO (the wheels' METADATA requires nothing), Windows' own targets.
    assert ("# native 1.0: built from its sdist (automatic: the lock has no wheel for this platform, only its sdist).\n"
            'pystatic_sdist_package(\n    name = "native_windows_x86_64",\n    package = "native",\n    version = "1.0",\n'
            '    sdist = "//:_sdist/native-1.0.tar.gz",\n    fallback_wheel = None,\n    build_tools = ["//:build_tools"],\n'
            '    native_libraries = [\n        "@rules_pystatic//native_libraries:libnative",\n    ],\n'
            '    env = {"NATIVE_STATIC": "1"},\n    deps = [\n        "//:helper_windows_x86_64",\n    ],\n)\n') in build
    assert '        "//:windows_x86_64": "//:native_windows_x86_64",\n' in files["native/BUILD.bazel"]
    assert 'load("@rules_pystatic//rules/private:sdist.bzl", "pystatic_sdist_package")' in build
    assert 'name = "build_tools"' in build
    # A pure-tagged wheel with an extension module inside: the sdist too, linux-musl keeping the wheel.
    assert summary["odd"] == {"x86_64": "odd-1-py3-none-any.whl", "aarch64": "odd-1-py3-none-any.whl",
                              "windows_x86_64": "sdist odd-1.tar.gz"}
    # A pure wheel serves every platform, its sdist (named) only fetched, not built.
    assert set(summary["plain"].values()) == {"plain-1-py3-none-any.whl"} and sorted(set(sdists)) == ["native", "odd", "plain"]


def test_a_sdist_the_repository_does_not_fetch_is_not_built_for_windows_and_the_error_says_how(tmp_path):
    # Fetching every locked sdist (and the build tools) for a platform that may never be built for
    # would slow every repository: Windows builds only what `sdists` names.
    summary, files, _, sdists = native_repository(tmp_path, "repo")
    assert sdists == [] and "build_tools" not in files["BUILD.bazel"]
    assert summary["native"]["x86_64"] == "native-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert summary["native"]["windows_x86_64"].startswith("unavailable: native 1.0: no wheel in the lock fits x86_64-windows-gnu")
    assert summary["native"]["windows_x86_64"].endswith(FIX) and summary["odd"]["windows_x86_64"].endswith(FIX)


def test_without_an_sdist_windows_is_unavailable_naming_the_package_the_platform_why_and_the_fix(tmp_path):
    summary, files, _, sdists = native_repository(tmp_path, "repo", with_sdist=False, sdists=["odd"])
    build = files["BUILD.bazel"]
    assert summary["native"]["x86_64"] == "native-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert rule(build, "native_windows_x86_64") == (
        'pystatic_wheel_unavailable(\n    name = "native_windows_x86_64",\n'
        f'    message = "native 1.0: no wheel in the lock fits x86_64-windows-gnu {PURE_ONLY}: its wheels for Windows are '
        f'platform-specific: native-1.0-cp313-cp313-win_amd64.whl. {FIX}",\n)\n')
    assert sdists == ["odd"]


def test_build_from_source_naming_it_builds_it_for_every_platform(tmp_path):
    summary, files, _, _ = native_repository(tmp_path, "repo", build_from_source=["native"])
    assert set(summary["native"].values()) == {"sdist native-1.0.tar.gz"}
    assert "# native 1.0: built from its sdist (build_from_source).\n" in files["BUILD.bazel"]


def test_a_build_tool_that_cannot_be_fetched_breaks_only_the_targets_built_from_sdists(tmp_path):
    def no_tool(python, package, platform, work):
        raise LockError("could not fetch setuptools 80.0 through pip")

    summary, _, _, _ = native_repository(tmp_path, "repo", fetch_build_tool=no_tool, sdists=["native", "odd"])
    assert summary["native"]["windows_x86_64"].startswith("broken: native 1.0 (its sdist native-1.0.tar.gz) cannot be used")
    assert summary["native"]["x86_64"] == "native-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert summary["odd"]["aarch64"] == "odd-1-py3-none-any.whl"
