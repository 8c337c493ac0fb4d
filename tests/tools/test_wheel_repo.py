import hashlib
import json
import pathlib
import zipfile

import pytest

from pystatic.repository import wheel_repo
from pystatic.repository.wheel_repo import LockError, LockedPackage, LockedWheel, Platform, WheelRepository, choose_wheel

X86, ARM = Platform("x86_64", "3.13.15"), Platform("aarch64", "3.13.15")


def make_wheel(directory, filename, requires=(), files=None):
    """A small wheel: METADATA with Requires-Dist lines, plus `files` {path: text}."""
    name, version = filename.split("-")[:2]
    path = pathlib.Path(directory) / filename
    with zipfile.ZipFile(path, "w") as zf:
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)
        zf.writestr(f"{name}-{version}.dist-info/METADATA", meta)
        zf.writestr(f"{name}-{version}.dist-info/RECORD", "")
        for rel, text in (files or {f"{name}/__init__.py": ""}).items():
            zf.writestr(rel, text)
    return path


def sha(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def test_read_pylock_takes_file_names_from_name_url_or_path():
    text = """
lock-version = "1.0"
[[packages]]
name = "Foo_Bar"
version = "1.0"
marker = 'platform_machine == "x86_64"'
wheels = [
  { name = "foo_bar-1.0-py3-none-any.whl", hashes = { sha256 = "%s" } },
  { url = "https://example.invalid/x/foo_bar-1.0-cp313-cp313-musllinux_1_2_aarch64.whl", hashes = { sha256 = "%s" } },
]
""" % ("a" * 64, "b" * 64)
    (package,) = wheel_repo.read_pylock(text, "pylock.toml")
    assert (package.key, package.target, package.version) == ("foo-bar", "foo_bar", "1.0")
    assert [w.filename for w in package.wheels] == ["foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0-cp313-cp313-musllinux_1_2_aarch64.whl"]


@pytest.mark.parametrize(
    "text, message",
    [
        ('lock-version = "1.0"\n[[packages]]\nname = "a"\nversion = "1"\nwheels = [{ name = "a-1-py3-none-any.whl" }]\n',
         "package a 1: wheel a-1-py3-none-any.whl has no sha256"),
        ('lock-version = "2.0"\n', "is not 1.x"),
        ("not toml [", "is not valid TOML"),
    ],
)
def test_read_pylock_errors(text, message):
    with pytest.raises(LockError, match=message):
        wheel_repo.read_pylock(text, "pylock.toml")


def test_read_requirements_with_continuations_markers_and_extras():
    text = """# comment
--index-url ignored-here
click==8.5.1 \\
    --hash=sha256:%s \\
    --hash=sha256:%s
rich[jupyter]==15.0.0 ; python_version >= "3.8" --hash=sha256:%s
""" % ("a" * 64, "b" * 64, "c" * 64)
    click, rich = wheel_repo.read_requirements(text, "requirements.txt")
    assert (click.name, click.version, click.hashes) == ("click", "8.5.1", ["a" * 64, "b" * 64])
    assert (rich.extras, rich.marker) == (("jupyter",), 'python_version >= "3.8"')


@pytest.mark.parametrize(
    "text, message",
    [
        ("click>=8 --hash=sha256:" + "a" * 64, "click is not pinned to one version"),
        ("click==8.5.1", "click==8.5.1 has no --hash"),
        ("click==8.5.1 --hash=md5:abc", "only sha256 hashes"),
    ],
)
def test_read_requirements_errors(text, message):
    with pytest.raises(LockError, match=message):
        wheel_repo.read_requirements(text, "requirements.txt")


def test_choose_wheel_prefers_the_platforms_own_then_pure_never_glibc():
    package = LockedPackage("m", "1", wheels=[
        LockedWheel("m-1-py3-none-any.whl", "a" * 64),
        LockedWheel("m-1-cp313-cp313-musllinux_1_2_x86_64.whl", "b" * 64),
        LockedWheel("m-1-cp313-cp313-manylinux_2_17_aarch64.whl", "c" * 64),
    ])
    assert choose_wheel(package, X86)[0].filename.endswith("musllinux_1_2_x86_64.whl")
    assert choose_wheel(package, ARM)[0].filename == "m-1-py3-none-any.whl"
    glibc_only = LockedPackage("g", "1", wheels=[LockedWheel("g-1-cp313-cp313-manylinux_2_17_aarch64.whl", "c" * 64)])
    wheel, reason = choose_wheel(glibc_only, ARM)
    assert wheel is None and "no wheel in the lock fits aarch64-linux-musl" in reason


def test_markers_are_evaluated_for_the_target_not_the_build_machine():
    assert wheel_repo.marker_applies('platform_machine == "aarch64" and sys_platform == "linux"', ARM)
    assert not wheel_repo.marker_applies('platform_machine == "aarch64"', X86)
    assert not wheel_repo.marker_applies('python_version < "3.13"', X86)
    assert wheel_repo.marker_applies('extra == "fast"', X86, ("fast",))


def test_pip_is_asked_for_exactly_the_chosen_wheel(tmp_path):
    package = LockedPackage("m", "1")
    wheel = LockedWheel("m-1-cp313-cp313-musllinux_1_2_aarch64.whl", "d" * 64)
    options = wheel_repo.pip_wheel_options(ARM, wheel)
    assert "--only-binary=:all:" in options
    assert options[options.index("--platform") + 1] == "musllinux_1_2_aarch64" and options.count("--platform") == 1
    # A stand-in python records the command line and the requirements file pip is given.
    record = tmp_path / "record"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" > {record}\nfor a; do [ -f "$a" ] && cat "$a" >> {record}; done\nexit 1\n')
    fake.chmod(0o755)
    path, _ = wheel_repo.pip_download(str(fake), package, [wheel.sha256], options, tmp_path)
    argv, requirement = record.read_text().splitlines()
    assert path is None
    assert argv.startswith("-m pip download --no-deps") and "--require-hashes -r" in argv
    assert requirement == "m==1 --hash=sha256:" + "d" * 64


@pytest.fixture
def lock_dir(tmp_path):
    wheels = tmp_path / "index"
    wheels.mkdir()
    app = make_wheel(wheels, "app-1.0-py3-none-any.whl", requires=[
        "dep>=1", 'armonly; platform_machine == "aarch64"', 'winonly; sys_platform == "win32"', 'opt; extra == "x"',
    ])
    dep = make_wheel(wheels, "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl", files={"dep/__init__.py": "", "dep/_c.cpython-313-x86_64-linux-musl.so": "ELF"})
    dep_arm = make_wheel(wheels, "dep-2.0-py3-none-any.whl")
    armonly = make_wheel(wheels, "armonly-1-py3-none-any.whl")
    lock = tmp_path / "pylock.toml"
    entries = [("app", "1.0", [app]), ("dep", "2.0", [dep, dep_arm]), ("armonly", "1", [armonly])]
    lock.write_text('lock-version = "1.0"\n' + "".join(
        f'[[packages]]\nname = "{n}"\nversion = "{v}"\nwheels = [' + ", ".join(
            f'{{ name = "{w.name}", hashes = {{ sha256 = "{sha(w)}" }} }}' for w in ws) + "]\n" for n, v, ws in entries))
    return tmp_path


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


def test_repository_targets_per_platform(lock_dir):
    fetch = fake_fetch(lock_dir / "index")
    repo = WheelRepository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fetch)
    repo.resolve()
    summary = repo.write("@rules_pystatic//rules/private:wheel.bzl", {"x86_64": ["@platforms//cpu:x86_64"]})
    # Pure wheels are fetched once for both platforms.
    assert sorted(fetch.fetched) == sorted(set(fetch.fetched))
    assert summary["dep"] == {"x86_64": "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl", "aarch64": "dep-2.0-py3-none-any.whl"}
    build = (lock_dir / "repo" / "BUILD.bazel").read_text()
    app_x86 = build[build.index('name = "app_x86_64"'):].split(")\n")[0]
    app_arm = build[build.index('name = "app_aarch64"'):].split(")\n")[0]
    assert '"//:dep_x86_64"' in app_x86 and "armonly" not in app_x86 and "winonly" not in app_x86 and "opt" not in app_x86
    assert '"//:armonly_aarch64"' in app_arm and '"//:dep_aarch64"' in app_arm
    dep_x86 = build[build.index('name = "dep_x86_64"'):].split("\n)\n")[0]
    assert '"dep/_c.cpython-313-x86_64-linux-musl.so"' in dep_x86  # native_files, excluded from data
    alias = (lock_dir / "repo" / "dep" / "BUILD.bazel").read_text()
    assert '"//:linux_musl_aarch64": "//:dep_aarch64"' in alias and '"//conditions:default": "//:unsupported_platform"' in alias
    assert (lock_dir / "repo" / "_whl" / "dep-2.0-py3-none-any" / "dep-2.0.dist-info" / "METADATA").exists()
    # Each unpacked wheel records the locked file it came from, for the binary's SBOM.
    wheel = lock_dir / "index" / "dep-2.0-py3-none-any.whl"
    record = json.loads((lock_dir / "repo" / "_whl" / "dep-2.0-py3-none-any" / "dep-2.0.dist-info" / "pystatic_lock.json").read_text())
    assert record == {"lock": "pylock.toml", "name": "dep", "version": "2.0", "wheel": wheel.name, "sha256": sha(wheel)}


def test_a_file_that_is_not_the_locked_one_is_refused(lock_dir):
    repo = WheelRepository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fake_fetch(lock_dir / "index", tamper=True))
    with pytest.raises(LockError, match="has sha256 .*the lock pins"):
        repo.resolve()


def test_exclude_drops_the_package_and_its_edges(lock_dir):
    repo = WheelRepository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", excludes=["dep"], fetch=fake_fetch(lock_dir / "index"))
    repo.resolve()
    repo.write("@r//:wheel.bzl", {})
    build = (lock_dir / "repo" / "BUILD.bazel").read_text()
    assert "dep_x86_64" not in build and not (lock_dir / "repo" / "dep").exists()
    with pytest.raises(LockError, match="exclude names nothere"):
        WheelRepository(lock_dir / "pylock.toml", lock_dir / "r2", "python3", "3.13.15", excludes=["nothere"]).resolve()


def test_unsafe_wheel_paths_are_refused(tmp_path):
    bad = make_wheel(tmp_path, "bad-1-py3-none-any.whl", files={"../evil.py": ""})
    with pytest.raises(LockError, match="unsafe path"):
        wheel_repo.unpack_wheel(bad, tmp_path / "out")


def test_sdists_are_unpacked_for_py_static_extension_and_built_ins_reach_the_check(lock_dir):
    import tarfile

    archive = lock_dir / "dep-2.0.tar.gz"
    source = lock_dir / "speedups.c"
    source.write_text("/* C */\n")
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(source, arcname="dep-2.0/src/dep/_c.c")
    fetched = []
    repo = WheelRepository(
        lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fake_fetch(lock_dir / "index"),
        sdists=["dep"], built_in=["dep._c"], fetch_sdist=lambda python, package, work: fetched.append(package.name) or archive,
    )
    repo.resolve()
    repo.write("@r//:wheel.bzl", {})
    assert fetched == ["dep"]
    assert (lock_dir / "repo" / "dep" / "sdist" / "src" / "dep" / "_c.c").read_text() == "/* C */\n"
    # The SBOM's record of the exact files: the wheel's and the sdist's sha256.
    record = json.loads((lock_dir / "repo" / "_whl" / "dep-2.0-cp313-cp313-musllinux_1_2_x86_64" / "dep-2.0.dist-info"
                         / "pystatic_lock.json").read_text())
    assert record["sdist"] == {"file": "dep-2.0.tar.gz", "sha256": sha(archive)}
    assert record["wheel"] == "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert 'exports_files(glob(["sdist/**"])' in (lock_dir / "repo" / "dep" / "BUILD.bazel").read_text()
    build = (lock_dir / "repo" / "BUILD.bazel").read_text()
    assert build.count('"dep._c",') == 6  # every wheel target, both platforms
    with pytest.raises(LockError, match="sdists names nope"):
        WheelRepository(lock_dir / "pylock.toml", lock_dir / "r3", "python3", "3.13.15", fetch=fake_fetch(lock_dir / "index"),
                        sdists=["nope"]).resolve()


def test_sdist_without_a_pinned_hash_is_refused(tmp_path):
    with pytest.raises(LockError, match="pins no sdist sha256"):
        wheel_repo.fetch_sdist_with_pip("python3", LockedPackage("m", "1"), tmp_path)


@pytest.fixture
def source_lock(tmp_path):
    """`ext` 1.0: an x86_64 wheel whose extension has no fallback, no aarch64 wheel, a pinned sdist."""
    import tarfile

    index = tmp_path / "index"
    index.mkdir()
    wheel = make_wheel(index, "ext-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", requires=["app"], files={
        "ext/__init__.py": "from ext import _c\n", "ext/_c.cpython-313-x86_64-linux-musl.so": "ELF",
    })
    app = make_wheel(index, "app-1.0-py3-none-any.whl")
    info = tmp_path / "PKG-INFO"
    info.write_text("Metadata-Version: 2.2\nName: ext\nVersion: 1.0\nRequires-Dist: app\n")
    sdist = tmp_path / "ext-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        tf.add(info, arcname="ext-1.0/PKG-INFO")
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\n'
        f'[[packages]]\nname = "app"\nversion = "1.0"\nwheels = [{{ name = "{app.name}", hashes = {{ sha256 = "{sha(app)}" }} }}]\n'
        f'[[packages]]\nname = "ext"\nversion = "1.0"\nwheels = [{{ name = "{wheel.name}", hashes = {{ sha256 = "{sha(wheel)}" }} }}]\n'
        f'sdist = {{ name = "{sdist.name}", hashes = {{ sha256 = "{sha(sdist)}" }} }}\n'
    )
    tool = make_wheel(index, "setuptools-80.0-py3-none-any.whl")
    build_lock = tmp_path / "build.txt"
    build_lock.write_text(f"setuptools==80.0 --hash=sha256:{sha(tool)}\n")
    return tmp_path, sdist, tool, build_lock


def source_repo(source_lock, **kwargs):
    tmp_path, sdist, tool, build_lock = source_lock
    repo = WheelRepository(tmp_path / "pylock.toml", tmp_path / "repo", "python3", "3.13.15", fetch=fake_fetch(tmp_path / "index"),
                           fetch_sdist=lambda python, package, work: sdist, build_lock=build_lock, **kwargs)
    repo.fetch_build_tool = lambda package, work: tool
    repo.resolve()
    repo.write("@r//rules/private:wheel.bzl", {})
    return (tmp_path / "repo" / "BUILD.bazel").read_text()


def test_a_wheel_whose_extension_has_no_fallback_is_built_from_its_sdist(source_lock):
    build = source_repo(source_lock)
    assert 'load("@r//rules/private:sdist.bzl", "pystatic_sdist_package")' in build
    for cpu in ("x86_64", "aarch64"):
        # aarch64 has no wheel: the sdist's PKG-INFO gives the dependencies.
        assert (f'pystatic_sdist_package(\n    name = "ext_{cpu}",\n    package = "ext",\n    version = "1.0",\n'
                f'    sdist = "//:_sdist/ext-1.0.tar.gz",\n    fallback_wheel = None,\n    build_tools = ["//:build_tools"],\n'
                f'    deps = [\n        "//:app_{cpu}",\n    ],\n)') in build, build
    assert "automatic: its wheel's extension has no pure-Python fallback" in build
    assert '"_build_tools/setuptools-80.0-py3-none-any.whl"' in build
    assert (source_lock[0] / "repo" / "_sdist" / "ext-1.0.tar.gz").exists()


def test_native_library_and_its_environment_reach_the_packages_its_row_names(source_lock):
    build = source_repo(source_lock, native_libraries=[("EXT", "@@//toolchains/native:libext"), ("other", "@@//x:y")],
                        native_env=[("ext", "EXT_FORCE_LIB=1")])
    for cpu in ("x86_64", "aarch64"):
        assert ('    build_tools = ["//:build_tools"],\n    native_libraries = [\n        "@@//toolchains/native:libext",\n'
                '    ],\n    env = {"EXT_FORCE_LIB": "1"},\n' f'    deps = [\n        "//:app_{cpu}",') in build, build
    assert "@@//x:y" not in build
    assert "native_libraries" not in source_repo(source_lock)


def test_build_from_source_by_name_star_or_never(source_lock):
    assert "built from its sdist (build_from_source)" in source_repo(source_lock, build_from_source=["ext"])
    assert "pystatic_sdist_package(" not in source_repo(source_lock, auto_build=False)
    assert 'build_from_source = ["*"]' in source_repo(source_lock, build_from_source=["*"], auto_build=False)
    with pytest.raises(LockError, match="build_from_source names nope"):
        source_repo(source_lock, build_from_source=["nope"])


FREE_X86 = Platform("x86_64", "3.13.15", "t")


def test_free_threaded_build_takes_cp313t_then_pure_never_abi3_or_the_gil_abi():
    package = LockedPackage("foo", "1.0", wheels=[
        LockedWheel("foo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", "a" * 64),
        LockedWheel("foo-1.0-cp38-abi3-musllinux_1_2_x86_64.whl", "b" * 64),
        LockedWheel("foo-1.0-cp313-cp313t-musllinux_1_2_x86_64.whl", "c" * 64),
        LockedWheel("foo-1.0-py3-none-any.whl", "d" * 64),
    ])
    assert choose_wheel(package, FREE_X86)[0].filename == "foo-1.0-cp313-cp313t-musllinux_1_2_x86_64.whl"
    assert choose_wheel(package, X86)[0].filename == "foo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    package.wheels = package.wheels[:2] + package.wheels[3:]
    assert choose_wheel(package, FREE_X86)[0].filename == "foo-1.0-py3-none-any.whl"
    package.wheels = package.wheels[:2]
    wheel, reason = choose_wheel(package, FREE_X86)
    assert wheel is None
    assert "no wheel in the lock fits x86_64-linux-musl (CPython 3.13.15t)" in reason
    assert "foo-1.0-cp38-abi3-musllinux_1_2_x86_64.whl" in reason


def test_free_threaded_pip_options_ask_for_cp313t_and_pure_only():
    options = wheel_repo.pip_wheel_options(FREE_X86)
    abis = [options[i + 1] for i, o in enumerate(options) if o == "--abi"]
    assert abis == ["cp313t", "none"]
    abis = [o for i, o in enumerate(wheel_repo.pip_wheel_options(X86)) if i and wheel_repo.pip_wheel_options(X86)[i - 1] == "--abi"]
    assert abis == ["cp313", "abi3", "none"]


def test_hub_branches_match_only_their_python_build(tmp_path):
    lock = tmp_path / "pylock.toml"
    wheel = make_wheel(tmp_path, "foo-1.0-py3-none-any.whl")
    lock.write_text('lock-version = "1.0"\n[[packages]]\nname = "foo"\nversion = "1.0"\n'
                    f'wheels = [{{ name = "{wheel.name}", hashes = {{ sha256 = "{sha(wheel)}" }} }}]\n')

    def fetch(python, package, platform, locked, work_dir):
        return wheel

    repo = WheelRepository(lock, tmp_path / "repo", "python3", "3.13.15", fetch=fetch, abiflags="t",
                           python_build="3.13t", python_flag="@@//python:version")
    (tmp_path / "repo").mkdir()
    repo.resolve()
    repo.write("@rules_pystatic//rules/private:wheel.bzl", {"x86_64": ["@platforms//cpu:x86_64"]})
    build = (tmp_path / "repo" / "BUILD.bazel").read_text()
    assert 'flag_values = {"@@//python:version": "3.13t"}' in build
    assert "are resolved for Python 3.13t, and this target is built for another Python build" in build
    assert 'name = "linux_musl_x86_64_other_build"' in build
    alias = (tmp_path / "repo" / "foo" / "BUILD.bazel").read_text()
    assert '"//:linux_musl_x86_64": "//:foo_x86_64"' in alias
    assert '"//:linux_musl_x86_64_other_build": "//:wrong_python_build"' in alias


def test_build_tools_are_pure_wheels_but_ninja_is_the_build_machines_program():
    pure = wheel_repo.build_tool_options(LockedPackage("meson-python", "0.22.1"), X86)
    assert pure[pure.index("--platform") + 1] == "any" and pure.count("--platform") == 1
    for name in ("ninja", "Ninja"):
        options = wheel_repo.build_tool_options(LockedPackage(name, "1.13.2"), ARM)  # the backend runs on x86_64
        platforms = [options[i + 1] for i, o in enumerate(options) if o == "--platform"]
        assert "any" not in platforms and "manylinux_2_17_x86_64" in platforms
        assert all(p.endswith("x86_64") for p in platforms)


@pytest.mark.parametrize("backend", ["mesonpy", "scikit_build_core.build"])
def test_metadata_stand_ins_answer_with_the_sdists_pkg_info(tmp_path, backend):
    import subprocess
    import sys

    shims = wheel_repo.write_metadata_shims(tmp_path / "shims")
    source = tmp_path / "src"
    source.mkdir()
    pkg_info = "Metadata-Version: 2.1\nName: cy-signals\nVersion: 1.12.5\nRequires-Dist: other>=1\n\nlong text\n"
    (source / "PKG-INFO").write_text(pkg_info)
    (tmp_path / "meta").mkdir()
    code = (f"import importlib; b = importlib.import_module({backend!r}); "
            f"print(b.get_requires_for_build_wheel(), b.prepare_metadata_for_build_wheel({str(tmp_path / 'meta')!r}))")
    run = subprocess.run([sys.executable, "-S", "-c", code], cwd=source, env={"PYTHONPATH": str(shims)},
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[]", "cy_signals-1.12.5.dist-info"]
    assert (tmp_path / "meta" / "cy_signals-1.12.5.dist-info" / "METADATA").read_text() == pkg_info
    build = subprocess.run([sys.executable, "-S", "-c", f"import importlib; importlib.import_module({backend!r}).build_wheel('.')"],
                           cwd=source, env={"PYTHONPATH": str(shims)}, capture_output=True, text=True)
    assert build.returncode != 0 and "builds no wheel" in build.stderr


def test_sdist_fetch_first_uses_the_metadata_stand_ins_then_pip_as_usual(tmp_path, monkeypatch):
    archive = tmp_path / "m-1.tar.gz"
    archive.write_bytes(b"sdist")
    calls = []

    def fake_pip_download(python, package, hashes, options, work_dir, env=None):
        calls.append((options, env))
        if len(calls) == 1:
            return None, "ModuleNotFoundError: No module named 'setuptools'\nerror: metadata-generation-failed"
        return archive, "Saved"

    monkeypatch.setattr(wheel_repo, "pip_download", fake_pip_download)
    package = LockedPackage("m", "1", hashes=[sha(archive)])
    assert wheel_repo.fetch_sdist_with_pip("python3", package, tmp_path) == archive
    options, env = calls[0]
    assert options == ["--no-binary=:all:", "--no-build-isolation"]
    shims = pathlib.Path(env["PYTHONPATH"].split(":")[0])
    assert (shims / "mesonpy" / "__init__.py").exists() and (shims / "scikit_build_core" / "build" / "__init__.py").exists()
    assert calls[1] == (["--no-binary=:all:"], None)  # the backend was not a stand-in: pip's own isolated build
    calls.clear()
    monkeypatch.setattr(wheel_repo, "pip_download", lambda *a, **k: calls.append(a) or (archive, "Saved"))
    assert wheel_repo.fetch_sdist_with_pip("python3", package, tmp_path) == archive and len(calls) == 1


def test_build_programs_come_as_the_build_machines_wheels_and_modules_as_pure_ones():
    """scikit-build-core runs cmake and ninja: their manylinux x86_64 wheels; the rest must be pure."""
    def platforms(name):
        options = wheel_repo.build_tool_options(LockedPackage(name, "1"), ARM)  # the target does not matter
        return [options[i + 1] for i, o in enumerate(options) if o == "--platform"]
    for program in ("cmake", "ninja"):
        assert "manylinux_2_17_x86_64" in platforms(program) and "any" not in platforms(program)
    assert platforms("scikit-build-core") == platforms("setuptools") == ["any"]
    lock = wheel_repo.read_lock(wheel_repo.pathlib.Path(__file__).parents[2] / "tools" / "pystatic" / "packages"
                                / "sdist_build" / "requirements.txt", "the build lock")
    assert {"cmake", "ninja", "scikit-build-core", "meson-python"} <= {p.key for p in lock}
