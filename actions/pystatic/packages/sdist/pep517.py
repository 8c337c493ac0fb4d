"""The sdist and its PEP 517 backend: unpacking, the build-system table, the build lock's wheels it may
use, the programs of those wheels, and running its build_wheel."""

import collections
import json
import pathlib
import re
import subprocess
import sys
import tarfile
import zipfile

from pystatic.packages.sdist.errors import BuildError

# Backends that need a Rust toolchain and the crates registry: not available here.
RUST_BACKENDS = ("maturin",)
RUST_REQUIRES = ("maturin", "setuptools-rust", "setuptools_rust", "puccinialin")

DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
# Lines of the backend's log an error quotes.
LOG_TAIL = 25

# The target's facts the backends' setups need: its triple and row values the rule passes.
Target = collections.namedtuple("Target", ["triple", "meson_cpu_family"])


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement):
    return normalize(re.split(r"[\s<>=!~;\[(@]", requirement.strip(), maxsplit=1)[0])


def unpack_archive(archive, dest):
    """Unpacks an sdist (tar.gz or zip); returns its top directory (`name-version/`)."""
    dest.mkdir(parents=True, exist_ok=True)
    if str(archive).endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.startswith("/") or ".." in name.split("/"):
                    raise BuildError(f"{archive}: unsafe path in the sdist: {name}")
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    tops = [p for p in dest.iterdir()]
    return tops[0] if len(tops) == 1 and tops[0].is_dir() else dest


def unpack_wheel(wheel, dest):
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith("/") or ".." in name.split("/"):
                raise BuildError(f"{wheel}: unsafe path in the wheel: {name}")
        zf.extractall(dest)


def build_env_pkgconfig_dirs(env_dir):
    """The directories of the build requirements' own pkg-config files, for the backend's
    `dependency()` lookups: pybind11's `pybind11/share/pkgconfig/pybind11.pc` (header-only, paths
    from `${pcfiledir}`, so the same for every target), numpy's, a wheel's `.data/data/.../pkgconfig`.
    pip's isolated build environment would also put `pybind11-config` on PATH; a cross build's meson
    looks only at pkg-config (matplotlib for aarch64 failed: "Dependency pybind11 not found")."""
    return sorted({str(pc.parent) for pc in pathlib.Path(env_dir).glob("**/pkgconfig/*.pc")})


def build_system(source_dir):
    """(backend, requires, backend_path) of the sdist's pyproject.toml (PEP 517/518 defaults)."""
    pyproject = source_dir / "pyproject.toml"
    if not pyproject.exists():
        return DEFAULT_BACKEND, ["setuptools", "wheel"], []
    import tomllib

    data = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("build-system", {})
    return (
        data.get("build-backend", DEFAULT_BACKEND),
        list(data.get("requires", ["setuptools", "wheel"])),
        list(data.get("backend-path", [])),
    )


def applicable(requires, env_dir):
    """The requirements whose markers hold for the build interpreter (packaging from the build lock)."""
    sys.path.insert(0, str(env_dir))
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return requires
    finally:
        sys.path.remove(str(env_dir))
    return [r for r in requires if not Requirement(r).marker or Requirement(r).marker.evaluate()]


def check_supported(package, backend, requires, available):
    """Raises BuildError for Rust backends and build requirements the build lock does not have."""
    names = {requirement_name(r) for r in requires}
    rust = [n for n in sorted(names) if n in {normalize(r) for r in RUST_REQUIRES}]
    if backend.split(":")[0].split(".")[0] in RUST_BACKENDS or rust:
        raise BuildError(
            f"{package}: its extension is written in Rust (build backend {backend}, requires "
            f"{', '.join(rust) or backend}); Rust extensions (PyO3/maturin, setuptools-rust) are not supported "
            "yet: they need a Rust toolchain and the crates registry.\n"
            "  Fix: lock a version with a pure-Python (py3-none-any) wheel, use a pure-Python alternative, or "
            "leave the package out (pystatic.wheels(exclude = [...])). docs/extensions.md"
        )
    missing = sorted(names - set(available))
    if missing:
        raise BuildError(
            f"{package}: its build backend {backend} requires {', '.join(missing)}, which the build environment "
            f"(the ruleset's build lock, actions/pystatic/packages/sdist_build/requirements.txt, and the repository's "
            f"build_requirements) does not have; it has {', '.join(sorted(available))}.\n"
            "  Fix: pin them with hashes in a requirements file of your own (`uv pip compile --generate-hashes "
            "--python-version 3.13`; pure py3-none-any wheels) and pass it as pystatic.wheels(build_requirements = "
            "\"//:build-requirements.txt\") (docs/extensions.md), or use a pure-Python wheel. A requirement with "
            f"compiled code of its own (numpy, scipy) cannot be in the build environment: then lock a version of "
            f"{package.split()[0]} that has a musllinux wheel for the target, or leave it out "
            "(pystatic.wheels(exclude = [...]))."
        )


def program_of_wheel(env_dir, package, name):
    """The build-machine program `name` of a build-lock wheel (ninja, cmake), made executable."""
    found = sorted(env_dir.glob(f"{package}-*.data/scripts/{name}")) + sorted(env_dir.glob(f"{package}/data/bin/{name}"))
    if not found:
        raise BuildError(f"the build environment has no {package} wheel with its program {name} "
                         "(actions/pystatic/packages/sdist_build/requirements.txt).")
    found[0].chmod(0o755)
    return found[0]


def log_tail(log_path, lines=LOG_TAIL):
    text = pathlib.Path(log_path).read_text(encoding="utf-8", errors="replace") if pathlib.Path(log_path).exists() else ""
    return "\n".join("    | " + line for line in text.rstrip().splitlines()[-lines:])


# What meson (wrap subprojects), pip and setuptools print when a download fails.
_DOWNLOAD = re.compile(r"(?:could not get|Downloading \S+ source from|failed to download|Could not fetch URL|"
                       r"urlopen error|Name does not resolve|Temporary failure in name resolution)\s*(https?://\S+)?")


def download_attempts(log_text):
    """(tried, urls): whether the backend's log shows a download that failed (no network in an
    action: matplotlib's meson fetches freetype's source for its subproject), and the URLs it named."""
    found = [m for m in _DOWNLOAD.finditer(log_text)]
    urls = sorted({m.group(1).rstrip(".;,") for m in found if m.group(1)})
    return bool(found), urls


# Runs in the backend's process (its PYTHONPATH): calls build_wheel and prints the wheel's name.
DRIVER = (
    "import importlib, json, sys\n"
    "name, _, attr = sys.argv[1].partition(':')\n"
    "backend = importlib.import_module(name)\n"
    "for part in filter(None, attr.split('.')):\n"
    "    backend = getattr(backend, part)\n"
    "print('PYSTATIC_WHEEL=' + backend.build_wheel(sys.argv[2], json.loads(sys.argv[3])))\n"
)


def run_build_wheel(backend, wheel_dir, config_settings, source, env, log):
    """Runs the backend's build_wheel (DRIVER) in the sdist's directory, its output to the open log.

    Returns the exit code; the wheel's name is in the log (built_wheels).
    """
    return subprocess.run(
        [sys.executable, "-B", "-c", DRIVER, backend, str(wheel_dir), json.dumps(config_settings)],
        cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT,
    ).returncode


def built_wheels(output):
    """The names of the wheels DRIVER reported in a log's text."""
    return [name.strip() for name in re.findall(r"^PYSTATIC_WHEEL=(.+)$", output, re.M)]
