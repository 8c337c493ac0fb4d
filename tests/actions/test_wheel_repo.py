"""The wheels repository end to end without pip: resolution (resolve.py) into a plan, rendered (render.py)."""

import json
import struct
import tarfile

import pytest
from wheel_repos import Repository, fake_fetch, make_sdist, make_wheel, sha

from pystatic.repository.wheels.lock import LockError, NoWheelForPlatform
from pystatic.repository.wheels.plan import WheelTarget
from pystatic.repository.wheels.unpack import is_static_program, unpack_wheel


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


def test_repository_targets_per_platform(lock_dir):
    fetch = fake_fetch(lock_dir / "index")
    repo = Repository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fetch)
    repo.resolve()
    summary = repo.write("@rules_pystatic//rules/private:wheel.bzl")
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


def test_a_file_that_is_not_the_locked_one_breaks_only_its_package(lock_dir):
    # dep's files are tampered with (a hash mismatch): dep and what needs it fail to build, armonly does not.
    good = fake_fetch(lock_dir / "index")
    bad = fake_fetch(lock_dir / "index", tamper=True)
    fetch = lambda python, package, platform, wheel, work: (bad if package.key == "dep" else good)(python, package, platform, wheel, work)  # noqa: E731
    repo = Repository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fetch)
    repo.resolve()
    summary = repo.write("@r//rules/private:wheel.bzl")
    assert summary["armonly"]["aarch64"] == "armonly-1-py3-none-any.whl"
    assert summary["app"]["x86_64"] == "app-1.0-py3-none-any.whl"  # builds fail through its dep, not its analysis
    build = (lock_dir / "repo" / "BUILD.bazel").read_text()
    broken = build[build.index('pystatic_wheel_broken(\n    name = "dep_x86_64"'):].split("\n)\n")[0]
    assert "dep 2.0 (dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl) cannot be used:" in broken
    assert "has sha256" in broken and "the lock pins" in broken and "Fix: regenerate the lock" in broken
    assert 'pystatic_wheel(\n    name = "armonly_aarch64"' in build


def test_a_corrupt_wheel_and_target_syntax_do_not_fail_the_fetch(lock_dir):
    # A wheel that is no zip breaks its package; a 3.12+ module (PEP 695) beside an extension is only
    # scanned as text (the host's ast is never asked), so the fetch runs on any host Python.
    index = lock_dir / "index"
    make_wheel(index, "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl", files={
        "dep/__init__.py": "type Hook = int\ntry:\n    from ._c import f\nexcept ImportError:\n    f = None\n",
        "dep/_c.cpython-313-x86_64-linux-musl.so": "ELF"})
    (index / "armonly-1-py3-none-any.whl").write_bytes(b"not a zip")
    lock = (lock_dir / "pylock.toml").read_text()
    for name in ("dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl", "armonly-1-py3-none-any.whl"):
        old = lock.split(name + '", hashes = { sha256 = "')[1][:64]
        lock = lock.replace(old, sha(index / name))
    (lock_dir / "pylock.toml").write_text(lock)
    repo = Repository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fake_fetch(index))
    repo.resolve()
    summary = repo.write("@r//rules/private:wheel.bzl")
    assert summary["dep"]["x86_64"] == "dep-2.0-cp313-cp313-musllinux_1_2_x86_64.whl"
    assert summary["armonly"]["aarch64"].startswith("broken: armonly 1 (armonly-1-py3-none-any.whl) cannot be used: ")
    assert "Fix: regenerate the lock" in summary["armonly"]["aarch64"]


def test_exclude_drops_the_package_and_its_edges(lock_dir):
    repo = Repository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", excludes=["dep"], fetch=fake_fetch(lock_dir / "index"))
    repo.resolve()
    repo.write("@r//:wheel.bzl")
    build = (lock_dir / "repo" / "BUILD.bazel").read_text()
    assert "dep_x86_64" not in build and not (lock_dir / "repo" / "dep").exists()
    with pytest.raises(LockError, match="exclude names nothere"):
        Repository(lock_dir / "pylock.toml", lock_dir / "r2", "python3", "3.13.15", excludes=["nothere"]).resolve()


def test_unsafe_wheel_paths_are_refused(tmp_path):
    bad = make_wheel(tmp_path, "bad-1-py3-none-any.whl", files={"../evil.py": ""})
    with pytest.raises(LockError, match="unsafe path"):
        unpack_wheel(bad, tmp_path / "out")


def test_a_wheels_data_scheme_goes_to_the_root_like_an_install_into_sys_prefix(tmp_path):
    """nbconvert's templates are `nbconvert-*.data/data/share/jupyter/...`: an installer puts them under
    sys.prefix, which in a binary is the root of its tree; scripts and headers are left out."""
    wheel = make_wheel(tmp_path, "tool-1-py3-none-any.whl", files={
        "tool/__init__.py": "",
        "tool-1.data/purelib/tool/extra.py": "",
        "tool-1.data/data/share/jupyter/tool/templates/lab/index.html.j2": "{{ x }}",
        "tool-1.data/scripts/tool-run": "#!python",
        "tool-1.data/headers/tool.h": "",
    })
    natives, dropped, dist_info, _ = unpack_wheel(wheel, tmp_path / "out")
    assert (tmp_path / "out/share/jupyter/tool/templates/lab/index.html.j2").read_text() == "{{ x }}"
    assert (tmp_path / "out/tool/extra.py").exists()
    assert dropped == ["tool-1.data/headers/tool.h", "tool-1.data/scripts/tool-run"]
    assert not (tmp_path / "out/tool-1.data").exists()


def _elf_program(*segment_types):
    """A 64-bit little-endian ELF executable header with program headers of these p_types."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<HHIQQQIHHHHHH", header, 16, 2, 62, 1, 0x401000, 64, 0, 0, 64, 56, len(segment_types), 64, 0, 0)
    return bytes(header) + b"".join(struct.pack("<II", t, 5) + bytes(48) for t in segment_types)


def test_static_programs_among_a_wheels_scripts_go_to_bin(tmp_path):
    """uv's and ruff's programs are `.data/scripts`, static (no PT_INTERP): they go to `bin/`, a
    binary's sysconfig "scripts" path, where find_uv_bin() looks; a program that needs musl's
    dynamic loader, a Python script and anything else stay out (the fetch log says so)."""
    wheel = make_wheel(tmp_path, "uv-1-py3-none-musllinux_1_1_x86_64.whl", files={
        "uv/__init__.py": "",
        "uv-1.data/scripts/uv": _elf_program(6, 1, 1),  # PT_PHDR, PT_LOAD
        "uv-1.data/scripts/uvx-dynamic": _elf_program(6, 3, 1),  # PT_INTERP: /lib/ld-musl-x86_64.so.1
        "uv-1.data/scripts/uv-run": "#!python\n",
    })
    natives, dropped, dist_info, _ = unpack_wheel(wheel, tmp_path / "out")
    assert (tmp_path / "out/bin/uv").read_bytes() == _elf_program(6, 1, 1)
    assert dropped == ["uv-1.data/scripts/uv-run", "uv-1.data/scripts/uvx-dynamic"] and natives == []
    assert not is_static_program(b"\x7fELF") and not is_static_program(b"#!/bin/sh\n" + bytes(100))


def test_python_files_no_import_names_are_listed_as_the_wheels_data(tmp_path):
    wheel = make_wheel(tmp_path, "tool-1-py3-none-any.whl", files={
        "tool/__init__.py": "", "tool/lib-rt/build_setup.py": "", "tool/lib-rt/x.c": "", "tool/a.b.py": "",
        "tool/unicode10-0-0.py": "",
    })
    assert unpack_wheel(wheel, tmp_path / "out")[3] == ["tool/a.b.py", "tool/lib-rt/build_setup.py"]


def test_sdists_are_unpacked_for_py_static_extension_and_built_ins_reach_the_check(lock_dir):
    archive = lock_dir / "dep-2.0.tar.gz"
    source = lock_dir / "speedups.c"
    source.write_text("/* C */\n")
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(source, arcname="dep-2.0/src/dep/_c.c")
    fetched = []
    repo = Repository(
        lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fake_fetch(lock_dir / "index"),
        sdists=["dep"], built_in=["dep._c"], fetch_sdist=lambda python, package, work: fetched.append(package.name) or archive,
    )
    repo.resolve()
    repo.write("@r//:wheel.bzl")
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
        Repository(lock_dir / "pylock.toml", lock_dir / "r3", "python3", "3.13.15", fetch=fake_fetch(lock_dir / "index"),
                        sdists=["nope"]).resolve()


@pytest.fixture
def source_lock(tmp_path):
    """`ext` 1.0: an x86_64 wheel whose extension has no fallback, no aarch64 wheel, a pinned sdist."""
    index = tmp_path / "index"
    index.mkdir()
    wheel = make_wheel(index, "ext-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", requires=["app"], files={
        "ext/__init__.py": "from ext import _c\n", "ext/_c.cpython-313-x86_64-linux-musl.so": "ELF",
    })
    app = make_wheel(index, "app-1.0-py3-none-any.whl")
    sdist = make_sdist(tmp_path, "ext", "1.0", requires=["app"])
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
    repo = Repository(tmp_path / "pylock.toml", tmp_path / "repo", "python3", "3.13.15", fetch=fake_fetch(tmp_path / "index"),
                      fetch_sdist=lambda python, package, work: sdist, build_lock=build_lock,
                      **{"fetch_build_tool": lambda python, package, platform, work: tool, **kwargs})
    repo.resolve()
    repo.write("@r//rules/private:wheel.bzl")
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


def test_the_users_build_requirements_join_the_build_environment_and_replace_its_pins(source_lock, capsys):
    """pystatic.wheels(build_requirements): a plugin the ruleset's lock lacks is added; a pin of a package
    the lock has (setuptools 80.0 there) replaces it."""
    tmp_path, sdist, tool, build_lock = source_lock
    newer = make_wheel(tmp_path / "index", "setuptools-81.0-py3-none-any.whl")
    plugin = make_wheel(tmp_path / "index", "setuptools_scm-9.0-py3-none-any.whl")
    extra = tmp_path / "build-requirements.txt"
    extra.write_text(f"setuptools==81.0 --hash=sha256:{sha(newer)}\nsetuptools-scm==9.0 --hash=sha256:{sha(plugin)}\n")
    wheels = {("setuptools", "80.0"): tool, ("setuptools", "81.0"): newer, ("setuptools-scm", "9.0"): plugin}
    fetched = []

    def fetch_build_tool(python, package, platform, work):
        fetched.append((package.key, package.version))
        return wheels[(package.key, package.version)]

    build = source_repo(source_lock, build_from_source=["ext"], build_requirements=extra,
                        build_requirements_label="//:build-requirements.txt", fetch_build_tool=fetch_build_tool)
    assert sorted(fetched) == [("setuptools", "81.0"), ("setuptools-scm", "9.0")]
    assert ('    srcs = [\n        "_build_tools/setuptools-81.0-py3-none-any.whl",\n'
            '        "_build_tools/setuptools_scm-9.0-py3-none-any.whl",\n    ],') in build, build
    assert "setuptools 81.0 of //:build-requirements.txt replaces the build lock's 80.0" in capsys.readouterr().err
    # Without the attribute the ruleset's lock alone.
    assert '"_build_tools/setuptools-80.0-py3-none-any.whl"' in source_repo(source_lock, build_from_source=["ext"])


def test_native_library_and_its_environment_reach_the_packages_its_row_names(source_lock):
    build = source_repo(source_lock, native_libraries=[("EXT", "@@//native_libraries:libext"), ("other", "@@//x:y")],
                        native_env=[("ext", "EXT_FORCE_LIB=1")])
    for cpu in ("x86_64", "aarch64"):
        assert ('    build_tools = ["//:build_tools"],\n    native_libraries = [\n        "@@//native_libraries:libext",\n'
                '    ],\n    env = {"EXT_FORCE_LIB": "1"},\n' f'    deps = [\n        "//:app_{cpu}",') in build, build
    assert "@@//x:y" not in build
    assert "native_libraries" not in source_repo(source_lock)


def test_build_from_source_by_name_star_or_never(source_lock):
    assert "built from its sdist (build_from_source)" in source_repo(source_lock, build_from_source=["ext"])
    # Without the automatic rule the x86_64 wheel stays; aarch64, which has no wheel, gets the sdist built.
    build = source_repo(source_lock, auto_build=False)
    assert 'pystatic_sdist_package(\n    name = "ext_aarch64",' in build
    assert 'pystatic_wheel(\n    name = "ext_x86_64",' in build
    assert "pystatic_sdist_package(\n    name = \"ext_x86_64\"" not in build
    assert 'build_from_source = ["*"]' in source_repo(source_lock, build_from_source=["*"], auto_build=False)
    with pytest.raises(LockError, match="build_from_source names nope"):
        source_repo(source_lock, build_from_source=["nope"])




def test_hub_branches_match_only_their_python_build(tmp_path):
    lock = tmp_path / "pylock.toml"
    wheel = make_wheel(tmp_path, "foo-1.0-py3-none-any.whl")
    lock.write_text('lock-version = "1.0"\n[[packages]]\nname = "foo"\nversion = "1.0"\n'
                    f'wheels = [{{ name = "{wheel.name}", hashes = {{ sha256 = "{sha(wheel)}" }} }}]\n')

    def fetch(python, package, platform, locked, work_dir):
        return wheel

    repo = Repository(lock, tmp_path / "repo", "python3", "3.13.15", fetch=fetch, abiflags="t",
                           python_build="3.13t", python_flag="@@//python:version")
    (tmp_path / "repo").mkdir()
    repo.resolve()
    repo.write("@rules_pystatic//rules/private:wheel.bzl")
    build = (tmp_path / "repo" / "BUILD.bazel").read_text()
    assert 'flag_values = {"@@//python:version": "3.13t"}' in build
    assert "are resolved for Python 3.13t, and this target is built for another Python build" in build
    assert 'name = "linux_musl_x86_64_other_build"' in build
    alias = (tmp_path / "repo" / "foo" / "BUILD.bazel").read_text()
    assert '"//:linux_musl_x86_64": "//:foo_x86_64"' in alias
    assert '"//:linux_musl_x86_64_other_build": "//:wrong_python_build"' in alias


def test_resolution_is_a_plan_of_data(lock_dir):
    plan = Repository(lock_dir / "pylock.toml", lock_dir / "repo", "python3", "3.13.15", fetch=fake_fetch(lock_dir / "index")).resolve()
    assert [(p.key, p.setting, p.name) for p in plan.platforms] == [
        ("x86_64", "linux_musl_x86_64", "linux_musl"), ("aarch64", "linux_musl_aarch64", "linux_musl_aarch64")]
    assert [t.name for t in plan.targets] == ["app_aarch64", "app_x86_64", "armonly_aarch64", "armonly_x86_64", "dep_aarch64", "dep_x86_64"]
    app_arm = plan.targets[0]
    assert isinstance(app_arm, WheelTarget) and app_arm.deps == ("armonly_aarch64", "dep_aarch64")
    assert isinstance(plan.targets[3], WheelTarget) and plan.targets[5].natives == ("dep/_c.cpython-313-x86_64-linux-musl.so",)
    assert not plan.builds_from_source and [a.target for a in plan.aliases] == ["app", "armonly", "dep"]


def hash_only_lock(tmp_path, with_sdist=True):
    """A requirements.txt pinning `watch` 1.0 by hash only: a manylinux wheel (no use on musl) and maybe its sdist."""
    index = tmp_path / "index"
    index.mkdir()
    wheel = make_wheel(index, "watch-1.0-py3-none-manylinux_2_17_x86_64.whl")
    sdist = make_sdist(tmp_path, "watch", "1.0", requires=["pyyaml"])
    yaml = make_wheel(index, "pyyaml-6.0-py3-none-any.whl")
    hashes = [sha(wheel)] + ([sha(sdist)] if with_sdist else [])
    (tmp_path / "requirements.txt").write_text(
        "watch==1.0 " + " ".join(f"--hash=sha256:{h}" for h in hashes) + f"\npyyaml==6.0 --hash=sha256:{sha(yaml)}\n")
    tool = make_wheel(index, "setuptools-80.0-py3-none-any.whl")
    (tmp_path / "build.txt").write_text(f"setuptools==80.0 --hash=sha256:{sha(tool)}\n")

    def fetch(python, package, platform, wheel, work):
        # What fetch_with_pip does with pip's "No matching distribution found" for a hash-only lock.
        if package.name == "watch":
            raise NoWheelForPlatform(f"no wheel in the lock fits {platform.triple} (CPython 3.13.15): pip found none")
        return yaml

    def fetch_sdist(python, package, work):
        if not with_sdist:
            raise LockError("could not fetch the sdist of watch 1.0 through pip")
        return sdist

    repo = Repository(tmp_path / "requirements.txt", tmp_path / "repo", "python3", "3.13.15", fetch=fetch, auto_build=False,
                      fetch_sdist=fetch_sdist, build_lock=tmp_path / "build.txt",
                      fetch_build_tool=lambda python, package, platform, work: tool)
    repo.resolve()
    repo.write("@r//rules/private:wheel.bzl")
    return (tmp_path / "repo" / "BUILD.bazel").read_text()


def test_a_hash_only_lock_without_a_wheel_for_the_platform_builds_the_sdist(tmp_path):
    build = hash_only_lock(tmp_path)
    for cpu in ("x86_64", "aarch64"):
        # The sdist's PKG-INFO gives the dependencies.
        assert (f'pystatic_sdist_package(\n    name = "watch_{cpu}",\n    package = "watch",\n    version = "1.0",\n'
                f'    sdist = "//:_sdist/watch-1.0.tar.gz",') in build, build
        assert f'"//:pyyaml_{cpu}",' in build
    assert "the lock has no wheel for this platform, only its sdist" in build


def test_without_a_wheel_or_sdist_the_package_is_unavailable_with_its_fix(tmp_path):
    build = hash_only_lock(tmp_path, with_sdist=False)
    assert "pystatic_sdist_package(" not in build
    assert "watch 1.0: no wheel in the lock fits x86_64-linux-musl" in build, build
    assert "or pin its sdist (which is then built)" in build


def test_an_extra_whose_requirements_the_lock_pins_is_on(tmp_path):
    """uv pip compile writes `tool==1.0` for `tool[cli]` but pins click: tool's target depends on click.
    The `br` extra's brotli is not pinned: that extra stays off (no edge, no unavailable target)."""
    index = tmp_path / "index"
    index.mkdir()
    tool = make_wheel(index, "tool-1.0-py3-none-any.whl", requires=[
        'click; extra == "cli"', 'rich>=13; extra == "cli"', 'brotli; extra == "br"', "idna", 'colorama; extra == "win"'])
    wheels = [tool] + [make_wheel(index, f"{n}-1.0-py3-none-any.whl") for n in ("click", "rich", "idna", "colorama")]
    # colorama is locked for Windows only: the `win` extra must stay off on Linux (no edge to an unavailable target).
    (tmp_path / "requirements.txt").write_text("".join(
        f"{w.name.split('-')[0]}==1.0" + (' ; sys_platform == "win32"' if w.name.startswith("colorama") else "")
        + f" --hash=sha256:{sha(w)}\n" for w in wheels))
    by_hash = {sha(w): w for w in wheels}
    repo = Repository(tmp_path / "requirements.txt", tmp_path / "repo", "python3", "3.13.15",
                      fetch=lambda python, package, platform, wheel, work: by_hash[package.hashes[0]])
    repo.resolve()
    repo.write("@r//rules/private:wheel.bzl")
    build = (tmp_path / "repo" / "BUILD.bazel").read_text()
    assert ('    name = "tool_x86_64",' in build and
            'deps = [\n        "//:click_x86_64",\n        "//:idna_x86_64",\n        "//:rich_x86_64",\n    ],' in build), build
    tool_rule = build.split('name = "tool_x86_64"')[1].split(")")[0]
    assert "brotli" not in tool_rule and "colorama" not in tool_rule


def test_an_annotated_lock_turns_on_only_the_extras_it_pinned_for_the_package(tmp_path):
    """A lock shared by several apps pins lxml for one of them ("via -r requirements.in"): tool's extra
    `xml` stays off, as it would in tool's own lock. click is pinned "via tool": its `cli` extra is on.
    (Before, every extra whose requirements the shared lock pinned was on: pandas brought matplotlib,
    scipy and lxml into a binary that needed none of them.)"""
    build = _repo_of(tmp_path, {"tool": ['click; extra == "cli"', 'lxml; extra == "xml"'], "click": [], "lxml": []},
                     via={"tool": "-r requirements.in", "click": "tool", "lxml": "-r requirements.in"})
    assert 'deps = [\n        "//:click_x86_64",\n    ],' in _rule(build, "tool_x86_64"), _rule(build, "tool_x86_64")


def _repo_of(tmp_path, requires, via=None):
    """A repository of `requires` ({wheel name: its Requires-Dist}), every wheel pinned (with the `# via`
    annotation `via` gives each, as uv writes it); its BUILD."""
    index = tmp_path / "index"
    index.mkdir()
    wheels = [make_wheel(index, f"{name}-1.0-py3-none-any.whl", requires=reqs) for name, reqs in requires.items()]
    (tmp_path / "requirements.txt").write_text("".join(
        f"{name}==1.0 --hash=sha256:{sha(w)}\n" + (f"    # via {via[name]}\n" if via else "")
        for name, w in zip(requires, wheels)))
    by_hash = {sha(w): w for w in wheels}
    repo = Repository(tmp_path / "requirements.txt", tmp_path / "repo", "python3", "3.13.15",
                      fetch=lambda python, package, platform, wheel, work: by_hash[package.hashes[0]])
    repo.resolve()
    repo.write("@r//rules/private:wheel.bzl")
    return (tmp_path / "repo" / "BUILD.bazel").read_text()


def _rule(build, name):
    return build.split(f'name = "{name}"')[1].split("\n)")[0]


def test_an_extra_the_lock_seems_to_ask_for_is_not_followed_into_a_cycle(tmp_path):
    """sphinxcontrib-serializinghtml's extra "standalone" requires Sphinx, which the lock pins because
    the app needs Sphinx, and Sphinx requires it: following the extra made a Bazel dependency cycle
    (the build of any app with Sphinx failed). The guess is dropped where it would close a cycle."""
    build = _repo_of(tmp_path, {
        "sphinx": ["serializinghtml", "docutils"],
        "serializinghtml": ['sphinx>=5; extra == "standalone"', 'pytest; extra == "test"'],
        "docutils": [],
    })
    assert '"//:serializinghtml_x86_64"' in _rule(build, "sphinx_x86_64")
    assert "deps = []" in _rule(build, "serializinghtml_x86_64"), _rule(build, "serializinghtml_x86_64")
    assert "pystatic_unavailable" not in _rule(build, "sphinx_x86_64")


def test_a_cycle_of_plain_requirements_is_reported_naming_it_not_left_to_bazel(tmp_path):
    build = _repo_of(tmp_path, {"alpha": ["beta"], "beta": ["alpha"], "gamma": []})
    for name in ("alpha_x86_64", "beta_x86_64"):
        assert "is in a circle of requirements on x86_64-linux-musl: alpha_x86_64 -> beta_x86_64 -> alpha_x86_64" \
            in _rule(build, name), _rule(build, name)
    assert "circle" not in _rule(build, "gamma_x86_64")
