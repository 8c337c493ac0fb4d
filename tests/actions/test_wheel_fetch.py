"""Fetching with pip and the metadata stand-ins (actions/pystatic/repository/wheels/fetch.py, metadata_shims.py)."""

import hashlib
import pathlib

import pytest
from wheel_targets import ARM, FREE_X86, WINDOWS, X86

from pystatic.repository.wheels import fetch
from pystatic.repository.wheels.lock import LockedPackage, LockedWheel, LockError, NoWheelForPlatform, read_lock
from pystatic.repository.wheels.metadata_shims import write_metadata_shims


def sha(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def test_pip_is_asked_for_exactly_the_chosen_wheel(tmp_path):
    package = LockedPackage("m", "1")
    wheel = LockedWheel("m-1-cp313-cp313-musllinux_1_2_aarch64.whl", "d" * 64)
    options = fetch.pip_wheel_options(ARM, wheel)
    assert "--only-binary=:all:" in options
    assert options[options.index("--platform") + 1] == "musllinux_1_2_aarch64" and options.count("--platform") == 1
    # A stand-in python records the command line and the requirements file pip is given.
    record = tmp_path / "record"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" > {record}\nfor a; do [ -f "$a" ] && cat "$a" >> {record}; done\nexit 1\n')
    fake.chmod(0o755)
    path, _ = fetch.pip_download(str(fake), package, [wheel.sha256], options, tmp_path)
    argv, requirement = record.read_text().splitlines()
    assert path is None
    assert argv.startswith("-m pip download --no-deps") and "--require-hashes -r" in argv
    assert requirement == "m==1 --hash=sha256:" + "d" * 64


def test_sdist_without_a_pinned_hash_is_refused(tmp_path):
    with pytest.raises(LockError, match="pins no sdist sha256"):
        fetch.fetch_sdist_with_pip("python3", LockedPackage("m", "1"), tmp_path)


def test_free_threaded_pip_options_ask_for_cp313t_and_pure_only():
    options = fetch.pip_wheel_options(FREE_X86)
    abis = [options[i + 1] for i, o in enumerate(options) if o == "--abi"]
    assert abis == ["cp313t", "none"]
    abis = [o for i, o in enumerate(fetch.pip_wheel_options(X86)) if i and fetch.pip_wheel_options(X86)[i - 1] == "--abi"]
    assert abis == ["cp313", "abi3", "none"]


def test_windows_asks_pip_for_pure_wheels_only_and_says_so_when_there_is_none(tmp_path):
    """A requirements.txt names hashes, not files: pip must not pick a win_amd64 wheel Windows cannot load."""
    options = fetch.pip_wheel_options(WINDOWS)
    assert [options[i + 1] for i, o in enumerate(options) if o in ("--platform", "--abi")] == ["any", "none"]
    # A stand-in python that answers as pip does for a package with only platform-specific wheels.
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "argv"}\necho "ERROR: No matching distribution found for m==1" >&2\nexit 1\n')
    fake.chmod(0o755)
    with pytest.raises(NoWheelForPlatform) as err:
        fetch.fetch_with_pip(str(fake), LockedPackage("m", "1", hashes=["a" * 64, "b" * 64]), WINDOWS, None, tmp_path)
    assert str(err.value) == ("no wheel in the lock fits x86_64-windows-gnu (CPython 3.13.15; Windows binaries take "
                              "pure-Python wheels only, as they cannot load wheels' extension modules yet): pip found none "
                              "among its 2 pinned file(s)")
    assert "--platform any --abi none" in (tmp_path / "argv").read_text()


def test_build_tools_are_pure_wheels_but_ninja_is_the_build_machines_program():
    pure = fetch.build_tool_options(LockedPackage("meson-python", "0.22.1"), X86)
    assert pure[pure.index("--platform") + 1] == "any" and pure.count("--platform") == 1
    for name in ("ninja", "Ninja"):
        options = fetch.build_tool_options(LockedPackage(name, "1.13.2"), ARM)  # the backend runs on x86_64
        platforms = [options[i + 1] for i, o in enumerate(options) if o == "--platform"]
        assert "any" not in platforms and "manylinux_2_17_x86_64" in platforms
        assert all(p.endswith("x86_64") for p in platforms)


@pytest.mark.parametrize("backend", ["mesonpy", "scikit_build_core.build"])
def test_metadata_stand_ins_answer_with_the_sdists_pkg_info(tmp_path, backend):
    import subprocess
    import sys

    shims = write_metadata_shims(tmp_path / "shims")
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
    failing_isolated = False

    def fake_pip_download(python, package, hashes, options, work_dir, env=None):
        calls.append((options, env))
        if len(calls) == 1:
            return None, "ModuleNotFoundError: No module named 'setuptools'\nerror: metadata-generation-failed"
        if len(calls) == 2 and failing_isolated:
            return None, "ERROR: Could not find a version that satisfies the requirement oldtool (from versions: none)"
        return archive, "Saved"

    monkeypatch.setattr(fetch, "pip_download", fake_pip_download)
    package = LockedPackage("m", "1", hashes=[sha(archive)])
    assert fetch.fetch_sdist_with_pip("python3", package, tmp_path) == archive
    options, env = calls[0]
    assert options == ["--no-binary=:all:", "--ignore-requires-python", "--no-build-isolation"]
    shims = pathlib.Path(env["PYTHONPATH"].split(":")[0])
    assert (shims / "mesonpy" / "__init__.py").exists() and (shims / "scikit_build_core" / "build" / "__init__.py").exists()
    # The backend was not a stand-in: pip's own isolated build, its build requirements as wheels only.
    assert calls[1] == (["--only-binary=:all:", "--no-binary=m", "--ignore-requires-python"], None)
    assert len(calls) == 2
    calls.clear()
    failing_isolated = True  # a build requirement without a wheel: pip may build it from its sdist
    assert fetch.fetch_sdist_with_pip("python3", package, tmp_path) == archive
    assert calls[2] == (["--no-binary=:all:", "--ignore-requires-python"], None)
    calls.clear()
    monkeypatch.setattr(fetch, "pip_download", lambda *a, **k: calls.append(a) or (archive, "Saved"))
    assert fetch.fetch_sdist_with_pip("python3", package, tmp_path) == archive and len(calls) == 1


def test_build_programs_come_as_the_build_machines_wheels_and_modules_as_pure_ones():
    """scikit-build-core runs cmake and ninja: their manylinux x86_64 wheels; the rest must be pure."""
    def platforms(name):
        options = fetch.build_tool_options(LockedPackage(name, "1"), ARM)  # the target does not matter
        return [options[i + 1] for i, o in enumerate(options) if o == "--platform"]
    for program in ("cmake", "ninja"):
        assert "manylinux_2_17_x86_64" in platforms(program) and "any" not in platforms(program)
    assert platforms("scikit-build-core") == platforms("setuptools") == ["any"]
    lock = read_lock(pathlib.Path(__file__).parents[2] / "actions" / "pystatic" / "packages"
                                / "sdist_build" / "requirements.txt", "the build lock")
    assert {"cmake", "ninja", "scikit-build-core", "meson-python"} <= {p.key for p in lock}



def test_no_matching_wheel_of_a_hash_only_lock_is_told_apart(tmp_path):
    """pip's "No matching distribution" for a hash-only pin is NoWheelForPlatform (its sdist may be built);
    other failures stay a plain LockError with the fetch's fix."""
    from pystatic.repository.wheels.lock import NoWheelForPlatform

    fake = tmp_path / "python"
    package = LockedPackage("watchdog", "7.1.1", hashes=["a" * 64, "b" * 64])
    fake.write_text("#!/bin/sh\necho 'ERROR: No matching distribution found for watchdog==7.1.1' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(NoWheelForPlatform, match=r"no wheel in the lock fits x86_64-linux-musl .*among its 2 pinned file"):
        fetch.fetch_with_pip(str(fake), package, X86, None, tmp_path)
    fake.write_text("#!/bin/sh\necho 'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES' >&2\nexit 1\n")
    with pytest.raises(LockError, match="regenerate the lock") as err:
        fetch.fetch_with_pip(str(fake), package, X86, None, tmp_path)
    assert not isinstance(err.value, NoWheelForPlatform)
