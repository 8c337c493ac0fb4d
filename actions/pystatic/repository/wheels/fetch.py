"""Fetching with pip: `pip download --no-deps` of one pinned file, pip's own index configuration deciding where from.

Wheels for a target platform (exactly the chosen one's tags), sdists (with the metadata stand-ins
of metadata_shims.py first), and the wheels of the ruleset's build lock. Every file is pinned by
sha256 (--require-hashes) and checked again here.
"""

import os
import pathlib
import subprocess
import tempfile

from packaging.utils import canonicalize_name, parse_wheel_filename

from pystatic.repository.hashing import sha256_of
from pystatic.repository.wheels.lock import LockError, NoWheelForPlatform
from pystatic.repository.wheels.metadata_shims import write_metadata_shims


def pip_wheel_options(platform, wheel=None):
    """`pip download` options that admit exactly `wheel` (its own tags), or else the target's wheels."""
    if wheel:
        _, _, _, file_tags = parse_wheel_filename(wheel.filename)
        platforms = sorted({t.platform for t in file_tags})
        abis = sorted({t.abi for t in file_tags})
    elif not platform.loads_extensions:
        # Pure-Python wheels only (platforms.choose_wheel): pip must not pick a win_amd64 one.
        platforms, abis = ["any"], ["none"]
    else:
        platforms = platform.platform_tags()
        # The free-threaded build cannot load abi3 (the stable ABI assumes the GIL).
        abis = ["cp%d%d" % platform.major_minor + platform.abiflags] + ([] if platform.abiflags else ["abi3"]) + ["none"]
    options = ["--only-binary=:all:", "--python-version", "%d.%d" % platform.major_minor, "--implementation", "cp"]
    for tag in platforms:
        options += ["--platform", tag]
    for abi in abis:
        options += ["--abi", abi]
    return options


# Build-lock packages that are programs the build machine runs (meson-python calls ninja,
# scikit-build-core cmake and ninja): their wheel for the build machine, not a pure one. The
# backends always run on x86_64 Linux.
BUILD_PROGRAMS = ("ninja", "cmake")
BUILD_MACHINE_PLATFORMS = ("manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_12_x86_64", "manylinux2010_x86_64",
                           "manylinux_2_5_x86_64", "manylinux1_x86_64")


def build_tool_options(package, platform):
    """`pip download` options for one wheel of the build lock (see BUILD_PROGRAMS)."""
    options = ["--only-binary=:all:", "--python-version", "%d.%d" % platform.major_minor, "--implementation", "py", "--abi", "none"]
    platforms = BUILD_MACHINE_PLATFORMS if canonicalize_name(package.name) in BUILD_PROGRAMS else ("any",)
    for tag in platforms:
        options += ["--platform", tag]
    return options


def pip_download(python, package, hashes, options, work_dir, env=None):
    """`pip download --no-deps` of package==version, pinned to `hashes`, into a new directory.

    Returns (the one downloaded file, or None; pip's last lines of output).
    """
    dest = pathlib.Path(tempfile.mkdtemp(dir=work_dir))
    # pip takes --hash only inside a requirements file; it sits beside dest, not in it.
    req_file = dest.with_suffix(".txt")
    req_file.write_text(f"{package.name}=={package.version} " + " ".join(f"--hash=sha256:{h}" for h in hashes) + "\n")
    cmd = [python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--dest", str(dest)]
    run = subprocess.run(cmd + options + ["--require-hashes", "-r", str(req_file)], capture_output=True, text=True, env=env)
    files = list(dest.iterdir())
    output = "\n".join((run.stdout + run.stderr).strip().splitlines()[-8:])
    return (files[0] if run.returncode == 0 and len(files) == 1 else None), output


def fetch_with_pip(python, package, platform, wheel, work_dir):
    """Downloads one wheel with pip; returns its path. Errors name the package and the fix."""
    hashes = [wheel.sha256] if wheel else package.hashes
    path, output = pip_download(python, package, hashes, pip_wheel_options(platform, wheel), work_dir)
    if path is None and not wheel and "No matching distribution found" in output:
        # A requirements.txt pins files by hash only: none of them is a wheel for this platform (often
        # only the sdist is, e.g. a pure-Python package whose wheels are all tagged manylinux).
        raise NoWheelForPlatform(
            f"no wheel in the lock fits {platform.triple} ({platform.wheel_scope}): "
            f"pip found none among its {len(package.hashes)} pinned file(s)"
        )
    if path is None or not path.name.endswith(".whl"):
        what = wheel.filename if wheel else f"a wheel for {platform.triple}"
        raise LockError(
            f"could not fetch {package.name} {package.version} ({what}) through pip:\n{output}\n"
            "  Fix: a hash mismatch means the lock's sha256 is not the file the index serves: regenerate the lock.\n"
            "  'No matching distribution' means pip's index has no such file: check `pip config list`."
        )
    return path


def isolated_sdist_options(package):
    """`pip download` options for the sdist of `package` whose build requirements come as wheels only."""
    # pip's later format option wins for a name: ":all:" first, the package's own exception after it.
    return ["--only-binary=:all:", f"--no-binary={canonicalize_name(package.name)}", "--ignore-requires-python"]


def fetch_sdist_with_pip(python, package, work_dir):
    """Downloads the package's source distribution (pinned sha256) with pip; returns its path."""
    hashes = [package.sdist.sha256] if package.sdist and package.sdist.sha256 else package.hashes
    if not hashes:
        raise LockError(
            f"{package.name} {package.version}: the lock pins no sdist sha256, so its sources cannot be fetched.\n"
            "  Fix: lock the sdist with its hash (pylock.toml `sdist`, or its --hash in requirements.txt)."
        )
    shims = write_metadata_shims(pathlib.Path(tempfile.mkdtemp(dir=work_dir)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(shims), os.environ.get("PYTHONPATH", "")])))
    # The fetching python3 is the build machine's, not the target's (3.13): the lock chose the version
    # for the target, so the sdist's Requires-Python (numpy 2.5: >=3.12) must not hide it from pip.
    options = ["--no-binary=:all:", "--ignore-requires-python"]
    path, output = pip_download(python, package, hashes, options + ["--no-build-isolation"], work_dir, env=env)
    if path is None:
        # pip's isolated environment for the metadata hook takes the format options too: with
        # --no-binary=:all: it builds every build requirement from source (measured: Cython for
        # PyYAML, 159 s of a 177 s fetch). Only the package itself must be the sdist.
        path, output = pip_download(python, package, hashes, isolated_sdist_options(package), work_dir)
    if path is None:  # a build requirement with no wheel for the build machine: pip builds it
        path, output = pip_download(python, package, hashes, options, work_dir)
    if path is None and any(word in output.lower() for word in ("maturin", "cargo", "rustc", "setuptools-rust")):
        raise LockError(
            f"{package.name} {package.version}: its sdist is a Rust extension (PyO3/maturin or setuptools-rust), and pip "
            f"could not even prepare its metadata:\n{output}\n  Rust extensions are not supported yet (no Rust toolchain "
            "nor crates registry here). Fix: lock a version with a pure-Python (py3-none-any) wheel, use a pure-Python "
            "alternative, or leave the package out (exclude = [...]). docs/extensions.md"
        )
    if path is None or not path.name.endswith((".tar.gz", ".zip")):
        raise LockError(
            f"could not fetch the sdist of {package.name} {package.version} through pip:\n{output}\n"
            "  Fix: check the lock's sdist hash, and that pip's index has the sdist."
        )
    digest = sha256_of(path)
    if digest not in hashes:
        raise LockError(f"{path.name}: sha256 {digest} is not the one the lock pins.")
    return path


def fetch_build_tool_with_pip(python, package, platform, work_dir):
    """A wheel of the build lock: pure Python (the build interpreter loads no .so), except the
    programs of BUILD_PROGRAMS (ninja), whose wheel for the build machine (x86_64 Linux) is taken."""
    path, output = pip_download(python, package, package.hashes, build_tool_options(package, platform), work_dir)
    if path is None or sha256_of(path) not in package.hashes:
        what = "a wheel for the build machine" if canonicalize_name(package.name) in BUILD_PROGRAMS else "a pure wheel"
        raise LockError(f"could not fetch the build tool {package.name} {package.version} ({what}) through pip:\n{output}")
    return path
