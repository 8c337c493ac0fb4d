"""Fills the repository of `pystatic.wheels`: one target per locked package and target platform.

Run by the repository rule (rules/private/wheels_repository.bzl) with the build machine's
python3, which must have pip. Steps:
  1. read the lock: PEP 751 `pylock.toml`, or a `requirements.txt` whose pins carry --hash;
  2. for each TARGET platform (linux musl x86_64/aarch64, the distribution's CPython), evaluate
     the package's marker and pick the best wheel whose tags fit (musllinux or pure);
  3. fetch each chosen wheel once through `pip download` with its pinned sha256 (pip's own
     index configuration decides where from), check the sha256 again, unpack it;
  4. read its METADATA's Requires-Dist, evaluated for that platform: the dependency edges;
  5. write BUILD files: `@<repo>//<package>` selects `//:<package>_<cpu>` by platform.
Packages built from source (`build_from_source`, or automatically: a wheel whose extension
cannot be used and an sdist the lock pins) get their sdist fetched, and a pystatic_sdist_package
target per platform instead (rules/private/sdist.bzl, docs/extensions.md); the wheels of the
ruleset's build lock (setuptools, wheel, Cython) are fetched once for all of them.
What cannot be used on a platform (no fitting wheel, excluded by its marker, a dependency the
lock lacks) becomes a target that fails analysis with the reason and the fix: only building
for that platform fails. A lock without hashes, or a hash pip cannot match, fails the fetch.
"""

import argparse
import email.parser
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field

from packaging import tags as wheel_tags
from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from pystatic.common.targets import by_cpu
from pystatic.modules.fallbacks import analyse
from pystatic.modules.names import is_native_file, module_of
from pystatic.repository.hashing import sha256_of

try:
    import tomllib
except ImportError:  # Python < 3.11: the vendored tomli
    import tomli as tomllib

# Target CPUs (distribution/toolchains/targets.bzl); each pairs with //platforms:musl. Wheels built for glibc
# (manylinux) cannot run there.
CPUS = tuple(by_cpu())
UNPACK_DIR = "_whl"
SDIST_DIR = "_sdist"
BUILD_TOOLS_DIR = "_build_tools"
AUTOMATIC = "automatic: its wheel's extension has no pure-Python fallback and a static binary cannot load it"


class LockError(Exception):
    """Bad lock or fetch; the message names the package and the fix."""


@dataclass
class LockedWheel:
    filename: str
    sha256: str


@dataclass
class LockedPackage:
    name: str  # as written in the lock
    version: str
    marker: str = ""
    requires_python: str = ""
    wheels: list = field(default_factory=list)  # LockedWheel; pylock.toml only
    hashes: list = field(default_factory=list)  # sha256s; requirements.txt only
    extras: tuple = ()
    sdist: LockedWheel = None  # pylock.toml `sdist`: file name and sha256

    @property
    def key(self):
        return canonicalize_name(self.name)

    @property
    def target(self):
        return self.key.replace("-", "_")


@dataclass
class Platform:
    cpu: str
    python_version: str  # full, e.g. 3.13.15
    abiflags: str = ""  # "t": the free-threaded build (cp313t wheels; no abi3)

    @property
    def triple(self):
        return f"{self.cpu}-linux-musl"

    @property
    def major_minor(self):
        return tuple(int(p) for p in self.python_version.split(".")[:2])

    def marker_environment(self, extra=""):
        return {
            "implementation_name": "cpython",
            "implementation_version": self.python_version,
            "os_name": "posix",
            "platform_machine": self.cpu,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": self.python_version,
            "python_version": "%d.%d" % self.major_minor,
            "sys_platform": "linux",
            "extra": extra,
        }

    def platform_tags(self):
        return list(by_cpu()[self.cpu]["wheel_platforms"])

    def supported_tags(self):
        """Wheel tags this platform accepts, best first (CPython's own, then abi3, then pure).

        A free-threaded build takes cp313t wheels, never abi3 (the stable ABI needs the GIL) nor
        abi3t (PEP 803, from 3.15 on)."""
        version = self.major_minor
        interpreter = "cp%d%d" % version
        platforms = self.platform_tags()
        own = [t for t in wheel_tags.cpython_tags(version, [interpreter + self.abiflags], platforms)
               if not (t.abi == "abi3t" and version < (3, 15))]
        return own + list(wheel_tags.compatible_tags(version, interpreter, platforms))


# --- reading locks ----------------------------------------------------------------------


def _pinned_sha256(hashes, where):
    value = (hashes or {}).get("sha256", "")
    if not re.fullmatch(r"[0-9a-f]{64}", value or ""):
        raise LockError(
            f"{where} has no sha256 in `hashes`; rules_pystatic fetches only hash-pinned wheels.\n"
            "  Fix: regenerate the lock with hashes (`pip lock` writes them)."
        )
    return value


def read_pylock(text, lock_name):
    """Packages of a PEP 751 lock. Wheel urls are not used: pip fetches by name, version and sha256."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LockError(f"{lock_name} is not valid TOML: {err}") from err
    if not str(data.get("lock-version", "")).startswith("1."):
        raise LockError(f"{lock_name}: lock-version {data.get('lock-version')!r} is not 1.x (PEP 751).")
    packages = []
    for entry in data.get("packages", []):
        name, version = entry.get("name"), entry.get("version")
        if not name or not version:
            raise LockError(f"{lock_name}: a package without name or version ({entry.get('name')!r}).")
        where = f"{lock_name}: package {name} {version}"
        package = LockedPackage(
            name=name,
            version=str(version),
            marker=entry.get("marker", ""),
            requires_python=entry.get("requires-python", ""),
        )
        if "sdist" in entry:
            sdist = entry["sdist"]
            filename = sdist.get("name") or pathlib.PurePosixPath(sdist.get("url") or sdist.get("path") or "").name
            hashes = sdist.get("hashes") or {}
            package.sdist = LockedWheel(filename, hashes.get("sha256", ""))
        for wheel in entry.get("wheels", []):
            filename = wheel.get("name") or pathlib.PurePosixPath(wheel.get("url") or wheel.get("path") or "").name
            if not filename.endswith(".whl"):
                raise LockError(f"{where}: a wheel without a file name (`name`, `url` or `path`).")
            package.wheels.append(LockedWheel(filename, _pinned_sha256(wheel.get("hashes"), f"{where}: wheel {filename}")))
        packages.append(package)
    return packages


def _logical_lines(text):
    line = ""
    for raw in text.splitlines():
        raw = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if raw.endswith("\\"):
            line += raw[:-1] + " "
            continue
        line += raw
        if line.strip():
            yield line.strip()
        line = ""
    if line.strip():
        yield line.strip()


def read_requirements(text, lock_name):
    """Packages of a requirements.txt where each line pins `name==version` with --hash options."""
    packages = []
    for line in _logical_lines(text):
        if line.startswith("-"):
            # Index options belong in pip's own configuration, not in the lock.
            continue
        words = line.split()
        hashes = [w.split("=", 1)[1] for w in words if w.startswith("--hash=")]
        spec = " ".join(w for w in words if not w.startswith("--"))
        try:
            req = Requirement(spec)
        except InvalidRequirement as err:
            raise LockError(f"{lock_name}: cannot read requirement '{spec}': {err}") from err
        pins = [s for s in req.specifier if s.operator in ("==", "===") and "*" not in s.version]
        if len(pins) != 1 or req.url:
            raise LockError(
                f"{lock_name}: {req.name} is not pinned to one version ('{spec}').\n"
                "  Fix: pin it, e.g. with `pip-compile --generate-hashes` or `pip lock`."
            )
        if not hashes:
            raise LockError(
                f"{lock_name}: {req.name}=={pins[0].version} has no --hash; rules_pystatic fetches only hash-pinned wheels.\n"
                "  Fix: regenerate it with hashes (`pip-compile --generate-hashes`, `uv pip compile --generate-hashes`)."
            )
        bad = [h for h in hashes if not re.fullmatch(r"sha256:[0-9a-f]{64}", h)]
        if bad:
            raise LockError(f"{lock_name}: {req.name}: only sha256 hashes are supported, got {bad[0]}.")
        packages.append(
            LockedPackage(
                name=req.name,
                version=pins[0].version,
                marker=str(req.marker or ""),
                hashes=[h.split(":", 1)[1] for h in hashes],
                extras=tuple(sorted(req.extras)),
            )
        )
    return packages


def read_lock(path, label=""):
    text = pathlib.Path(path).read_text(encoding="utf-8")
    name = label or pathlib.Path(path).name
    packages = read_pylock(text, name) if name.endswith(".toml") else read_requirements(text, name)
    seen = {}
    for package in packages:
        if package.key in seen:
            raise LockError(f"{name}: {package.name} is locked twice ({seen[package.key]} and {package.version}).")
        seen[package.key] = package.version
    return packages


# --- choosing a wheel per platform -----------------------------------------------------


def marker_applies(marker, platform, extras=()):
    if not marker:
        return True
    try:
        parsed = Marker(marker)
    except InvalidMarker as err:
        raise LockError(f"cannot read marker '{marker}': {err}") from err
    return any(parsed.evaluate(platform.marker_environment(extra)) for extra in (extras or ("",)))


def choose_wheel(package, platform):
    """(LockedWheel, None) or (None, reason). pylock.toml only: requirements.txt leaves it to pip."""
    rank = {tag: i for i, tag in enumerate(platform.supported_tags())}
    best = None
    for wheel in package.wheels:
        try:
            _, _, _, file_tags = parse_wheel_filename(wheel.filename)
        except InvalidWheelFilename:
            continue
        score = min((rank[t] for t in file_tags if t in rank), default=None)
        if score is not None and (best is None or score < best[0]):
            best = (score, wheel)
    if best:
        return best[1], None
    have = ", ".join(w.filename for w in package.wheels) or "no wheels" + (" (only an sdist)" if package.sdist else "")
    return None, f"no wheel in the lock fits {platform.triple} (CPython {platform.python_version}{platform.abiflags}); the lock has: {have}"


def pip_wheel_options(platform, wheel=None):
    """`pip download` options that admit exactly `wheel` (its own tags), or else the target's wheels."""
    if wheel:
        _, _, _, file_tags = parse_wheel_filename(wheel.filename)
        platforms = sorted({t.platform for t in file_tags})
        abis = sorted({t.abi for t in file_tags})
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
    if path is None or not path.name.endswith(".whl"):
        what = wheel.filename if wheel else f"a wheel for {platform.triple}"
        raise LockError(
            f"could not fetch {package.name} {package.version} ({what}) through pip:\n{output}\n"
            "  Fix: a hash mismatch means the lock's sha256 is not the file the index serves: regenerate the lock.\n"
            "  'No matching distribution' means pip's index has no such file: check `pip config list`."
        )
    return path


# pip prepares an sdist's metadata before it keeps the file. meson-python and scikit-build-core have no
# metadata hook, so pip builds the whole wheel in an isolated environment with the host's compiler:
# that fails here or takes very long (seen: pip built cmake from source for a meson-python sdist's
# build environment). So pip first runs without build isolation, with these stand-ins on its path,
# which answer with the sdist's own PKG-INFO (other backends are imported from the fetching Python
# or fail, and then pip runs as usual); the real backend runs later, in the PyStaticSdist action,
# from the build lock.
METADATA_SHIM_BACKENDS = ("mesonpy", "scikit_build_core.build")
METADATA_SHIM = '''"""Fetch-time stand-in for the build backend {backend} (rules_pystatic): pip needs only the
sdist's metadata, which its PKG-INFO holds; the real backend builds it later, in a Bazel action."""
import email.parser
import os


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with open("PKG-INFO", encoding="utf-8") as f:
        text = f.read()
    headers = email.parser.HeaderParser().parsestr(text)
    name = headers["Name"].replace("-", "_").replace(".", "_")
    dist_info = os.path.join(metadata_directory, name + "-" + headers["Version"] + ".dist-info")
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(text)
    return os.path.basename(dist_info)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("rules_pystatic's fetch-time stand-in for {backend} builds no wheel")
'''


def write_metadata_shims(directory):
    """The stand-in backends of METADATA_SHIM_BACKENDS as importable modules under directory."""
    for backend in METADATA_SHIM_BACKENDS:
        parts = backend.split(".")
        package_dir = pathlib.Path(directory, *parts)
        package_dir.mkdir(parents=True, exist_ok=True)
        (package_dir / "__init__.py").write_text(METADATA_SHIM.format(backend=backend))
        for depth in range(1, len(parts)):
            init = pathlib.Path(directory, *parts[:depth], "__init__.py")
            if not init.exists():
                init.write_text("")
    return directory


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
    path, output = pip_download(python, package, hashes, ["--no-binary=:all:", "--no-build-isolation"], work_dir, env=env)
    if path is None:
        path, output = pip_download(python, package, hashes, ["--no-binary=:all:"], work_dir)
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


def unpack_sdist(archive, dest):
    """Unpacks an sdist without its top directory (`name-version/`)."""
    import tarfile

    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            members = [(i.filename, i) for i in zf.infolist() if not i.is_dir()]
            opener = zf.open
    else:
        tf = tarfile.open(archive)
        members = [(m.name, m) for m in tf.getmembers() if m.isfile()]
        opener = tf.extractfile
    for name, member in members:
        parts = name.split("/")[1:]
        if not parts or name.startswith("/") or ".." in parts:
            raise LockError(f"{archive.name}: unsafe path in the sdist: {name}")
        target = dest.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with opener(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)


# --- unpacking ---------------------------------------------------------------------------

# Written into each unpacked wheel's .dist-info: the lock, the wheel file and its sha256 (and the
# sdist's, when fetched), so a binary's SBOM names the exact files (tools/pystatic/binary/sbom.py).
LOCK_RECORD = "pystatic_lock.json"


def unpack_wheel(wheel_path, dest):
    """Unpacks to dest like an installer: .data/purelib|platlib to the root, scripts/headers dropped.

    Returns (native files relative to dest, dropped paths, the .dist-info directory name).
    """
    natives, dropped, dist_info = [], [], None
    with zipfile.ZipFile(wheel_path) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir():
                continue
            parts = name.split("/")
            if name.startswith("/") or ".." in parts or "\\" in name:
                raise LockError(f"{wheel_path.name}: unsafe path in the wheel: {name}")
            if parts[0].endswith(".data") and len(parts) > 2:
                if parts[1] not in ("purelib", "platlib"):
                    dropped.append(name)
                    continue
                parts = parts[2:]
            if parts[0].endswith(".dist-info"):
                dist_info = parts[0]
            if name.endswith(".pyc"):
                continue
            rel = "/".join(parts)
            if is_native_file(rel):
                natives.append(rel)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    if dist_info is None:
        raise LockError(f"{wheel_path.name} has no .dist-info directory: not a wheel.")
    return sorted(natives), sorted(dropped), dist_info


def requirements_of(metadata_text):
    message = email.parser.Parser().parsestr(metadata_text)
    return [Requirement(r) for r in message.get_all("Requires-Dist") or []]


def licence_of(metadata_text):
    message = email.parser.Parser().parsestr(metadata_text)
    return message.get("License-Expression") or message.get("License") or ""


# --- the repository ----------------------------------------------------------------------


@dataclass
class Resolved:
    """A package on one platform: a wheel and dependency edges, or the reason it is unavailable."""

    package: LockedPackage
    platform: Platform
    wheel_file: str = ""
    root: str = ""
    natives: list = field(default_factory=list)
    requires: list = field(default_factory=list)  # Requirement
    unavailable: str = ""
    dist_info: str = ""
    sha256: str = ""


def _starlark_list(items, indent="        "):
    if not items:
        return "[]"
    return "[\n" + "".join(f"{indent}{json.dumps(i)},\n" for i in items) + indent[:-4] + "]"


class WheelRepository:
    def __init__(self, lock_path, repo_dir, python, python_version, excludes=(), lock_label="", fetch=fetch_with_pip,
                 sdists=(), built_in=(), fetch_sdist=fetch_sdist_with_pip, build_from_source=(), build_lock=None,
                 auto_build=True, native_libraries=(), native_env=(),
                 abiflags="", python_build="", python_flag=""):
        self.lock_path = pathlib.Path(lock_path)
        self.lock_label = lock_label or self.lock_path.name
        self.repo_dir = pathlib.Path(repo_dir)
        self.python = python
        self.platforms = [Platform(cpu, python_version, abiflags) for cpu in CPUS]
        # The Python build (e.g. 3.13t) and its build setting: the platform branches match only it.
        self.python_build = python_build
        self.python_flag = python_flag
        self.excludes = {canonicalize_name(e) for e in excludes}
        self.fetch = fetch
        self.fetch_sdist = fetch_sdist
        self.sdists = {canonicalize_name(n) for n in sdists}
        self.built_in = sorted(built_in)
        self.build_from_source = {n if n == "*" else canonicalize_name(n) for n in build_from_source}
        self.build_lock = build_lock
        self.auto_build = auto_build
        # Native libraries (sources.json `native`) per package: labels of their static builds, and
        # the environment that makes the package's build use them.
        self.native_libraries, self.native_env = {}, {}
        for name, label in native_libraries:
            self.native_libraries.setdefault(canonicalize_name(name), []).append(label)
        for name, setting in native_env:
            key, _, value = setting.partition("=")
            self.native_env.setdefault(canonicalize_name(name), {})[key] = value
        self.from_source = {}  # key -> (sdist file name in SDIST_DIR, pure fallback wheel file name or "", why)
        self.build_tools = []  # wheel file names in BUILD_TOOLS_DIR
        self.unpacked = {}  # sha256 -> (root, natives, dist_info)

    def resolve(self):
        packages = read_lock(self.lock_path, self.lock_label)
        unknown = self.excludes - {p.key for p in packages}
        if unknown:
            raise LockError(f"exclude names {', '.join(sorted(unknown))}, which {self.lock_label} does not lock.")
        self.packages = {p.key: p for p in packages if p.key not in self.excludes}
        work = self.repo_dir / "_downloads"
        work.mkdir(parents=True, exist_ok=True)
        self.resolved = {}
        for platform in self.platforms:
            for key, package in sorted(self.packages.items()):
                self.resolved[(key, platform.cpu)] = self._resolve_one(package, platform, work)
        unknown = self.sdists - set(self.packages)
        if unknown:
            raise LockError(f"sdists names {', '.join(sorted(unknown))}, which {self.lock_label} does not lock.")
        sdist_files = {}
        for key in sorted(self.sdists):
            package = self.packages[key]
            archive = self.fetch_sdist(self.python, package, work)
            unpack_sdist(archive, self.repo_dir / package.target / "sdist")
            sdist_files[key] = {"file": archive.name, "sha256": sha256_of(archive)}
        self._build_from_source(work)
        for result in self.resolved.values():
            if result.dist_info:
                self._write_lock_record(result, sdist_files.get(result.package.key))
        shutil.rmtree(work)
        return self.resolved

    def _write_lock_record(self, result, sdist):
        """<dist-info>/pystatic_lock.json: which locked file the package came from, for the SBOM
        (tools/pystatic/binary/sbom.py reads it from the binary's resource blob)."""
        record = {"lock": self.lock_label, "name": result.package.name, "version": result.package.version,
                  "wheel": result.wheel_file, "sha256": result.sha256}
        if sdist:
            record["sdist"] = sdist
        path = self.repo_dir / result.root / result.dist_info / LOCK_RECORD
        path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")

    def _source_candidates(self):
        """{key: why} of the packages to build from their sdists."""
        unknown = {n for n in self.build_from_source if n != "*"} - set(self.packages)
        if unknown:
            raise LockError(f"build_from_source names {', '.join(sorted(unknown))}, which {self.lock_label} does not lock.")
        chosen = {}
        for key, package in sorted(self.packages.items()):
            results = [self.resolved[(key, p.cpu)] for p in self.platforms]
            natives = any(r.natives for r in results)
            no_wheel = any(r.unavailable.startswith(f"{package.name} {package.version}: no wheel") for r in results)
            if key in self.build_from_source:
                chosen[key] = "build_from_source"
            elif "*" in self.build_from_source and (natives or (no_wheel and package.sdist)):
                chosen[key] = 'build_from_source = ["*"]'
            elif self.auto_build and natives and ((package.sdist and package.sdist.sha256) or package.hashes) \
                    and self._needs_extension(results):
                chosen[key] = AUTOMATIC
        return chosen

    def _needs_extension(self, results):
        """Whether check_wheel would refuse a chosen wheel (no guarded pure-Python fallback)."""
        for result in results:
            if not result.natives:
                continue
            root = self.repo_dir / result.root
            sources = {}
            for path in root.rglob("*.py"):
                rel = path.relative_to(root).as_posix()
                sources[module_of(rel)] = (path.read_text(encoding="utf-8", errors="replace"), rel.endswith("/__init__.py"))
            _, unusable, _ = analyse(sources, result.natives, set(self.built_in))
            if unusable:
                return True
        return False

    def _build_from_source(self, work):
        chosen = self._source_candidates()
        if not chosen:
            return
        sdist_dir = self.repo_dir / SDIST_DIR
        sdist_dir.mkdir(exist_ok=True)
        for key, why in sorted(chosen.items()):
            package = self.packages[key]
            try:
                archive = self.fetch_sdist(self.python, package, work)
            except LockError as err:
                if why != AUTOMATIC:
                    raise
                # A requirements.txt may pin only wheels: the wheel's check then fails the build as before.
                print(f"pystatic.wheels: {package.name} {package.version}: no sdist to build from: {err}", file=sys.stderr)
                continue
            shutil.copyfile(archive, sdist_dir / archive.name)
            fallback = ""
            pure = [w for w in package.wheels if w.filename.endswith("-none-any.whl")]
            if pure:
                path = self.fetch(self.python, package, self.platforms[0], pure[0], work)
                if sha256_of(path) != pure[0].sha256:
                    raise LockError(f"{path.name} ({package.name}) does not have the sha256 the lock pins.")
                shutil.copyfile(path, sdist_dir / path.name)
                fallback = path.name
            self.from_source[key] = (archive.name, fallback, why)
            print(f"pystatic.wheels: {package.name} {package.version}: built from its sdist {archive.name} ({why})",
                  file=sys.stderr)
            for platform in self.platforms:
                result = self.resolved[(key, platform.cpu)]
                if result.unavailable.startswith(f"{package.name} {package.version}: no wheel"):
                    # No wheel for this platform: the sdist's own metadata gives the dependencies.
                    result.unavailable = ""
                    unpacked = work / f"pkginfo-{key}"
                    unpack_sdist(archive, unpacked)
                    info = unpacked / "PKG-INFO"
                    result.requires = requirements_of(info.read_text(encoding="utf-8", errors="replace")) if info.exists() else []
        if not self.build_lock:
            raise LockError("packages are built from source, but no build lock was given (--build_lock).")
        tools_dir = self.repo_dir / BUILD_TOOLS_DIR
        tools_dir.mkdir(exist_ok=True)
        for package in read_lock(self.build_lock, "the ruleset's build lock"):
            path = self.fetch_build_tool(package, work)
            shutil.copyfile(path, tools_dir / path.name)
            self.build_tools.append(path.name)

    def fetch_build_tool(self, package, work):
        """A wheel of the build lock: pure Python (the build interpreter loads no .so), except the
        programs of BUILD_PROGRAMS (ninja), whose wheel for the build machine (x86_64 Linux) is taken."""
        path, output = pip_download(self.python, package, package.hashes, build_tool_options(package, self.platforms[0]), work)
        if path is None or sha256_of(path) not in package.hashes:
            what = "a wheel for the build machine" if canonicalize_name(package.name) in BUILD_PROGRAMS else "a pure wheel"
            raise LockError(f"could not fetch the build tool {package.name} {package.version} ({what}) through pip:\n{output}")
        return path

    def _resolve_one(self, package, platform, work):
        result = Resolved(package, platform)
        where = f"{package.name} {package.version}"
        if not marker_applies(package.marker, platform):
            result.unavailable = (
                f"{where} is not for {platform.triple}: the lock's marker `{package.marker}` excludes it. "
                "Fix: remove the dependency for this platform (or relock with it)"
            )
            return result
        if package.requires_python and platform.python_version not in SpecifierSet(package.requires_python):
            result.unavailable = f"{where} requires Python {package.requires_python}; the distribution is {platform.python_version}"
            return result
        wheel = None
        if package.wheels or not package.hashes:
            wheel, reason = choose_wheel(package, platform)
            if wheel is None:
                result.unavailable = (
                    f"{where}: {reason}. Fix: lock a version that has a musllinux or pure-Python (py3-none-any) "
                    "wheel, or leave the package out (pystatic.wheels(exclude = [...]))"
                )
                return result
        if wheel and wheel.sha256 in self.unpacked:
            digest = wheel.sha256
        else:
            path = self.fetch(self.python, package, platform, wheel, work)
            digest = sha256_of(path)
            allowed = [wheel.sha256] if wheel else package.hashes
            if digest not in allowed:
                raise LockError(
                    f"{path.name} ({where}) has sha256 {digest}, the lock pins {', '.join(allowed)}. "
                    "Fix: regenerate the lock, or check pip's index configuration."
                )
            if digest not in self.unpacked:
                root = f"{UNPACK_DIR}/{path.name[: -len('.whl')]}"
                natives, dropped, dist_info = unpack_wheel(path, self.repo_dir / root)
                if dropped:
                    print(
                        f"pystatic.wheels: {path.name}: left out {len(dropped)} file(s) outside the import path "
                        f"(scripts/headers/data), e.g. {dropped[0]}",
                        file=sys.stderr,
                    )
                self.unpacked[digest] = (root, natives, dist_info)
        root, natives, dist_info = self.unpacked[digest]
        result.root, result.natives, result.dist_info, result.sha256 = root, natives, dist_info, digest
        result.wheel_file = root.split("/", 1)[1] + ".whl"
        metadata = (self.repo_dir / root / dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
        result.requires = requirements_of(metadata)
        return result

    def _deps(self, result):
        """Labels of the package's dependencies on its platform, or an unavailable reason."""
        platform = result.platform
        wanted = set(result.package.extras)
        # Extras any dependent asks of this package on this platform.
        for other in self.resolved.values():
            if other.platform is platform and not other.unavailable:
                for req in other.requires:
                    if canonicalize_name(req.name) == result.package.key and marker_applies(
                        str(req.marker or ""), platform, tuple(other.package.extras)
                    ):
                        wanted |= set(req.extras)
        labels = []
        for req in result.requires:
            if req.marker and not marker_applies(str(req.marker), platform, tuple(sorted(wanted))):
                continue
            key = canonicalize_name(req.name)
            if key in self.excludes:
                continue
            if key not in self.packages:
                return None, (
                    f"{result.package.name} {result.package.version} requires {req} on {platform.triple}, "
                    f"which {self.lock_label} does not lock. Fix: regenerate the lock for this platform "
                    "(or exclude the package)"
                )
            labels.append(f"//:{self.packages[key].target}_{platform.cpu}")
        return sorted(set(labels)), None

    def write(self, rules_bzl, constraints, sdist_bzl=""):
        """BUILD files. rules_bzl: label of wheel.bzl; constraints: cpu -> list of constraint labels."""
        out = [
            "# Generated by rules_pystatic's pystatic.wheels from " + self.lock_label + ". Do not edit.",
            f'load("{rules_bzl}", "pystatic_wheel", "pystatic_wheel_unavailable")',
            "",
            'package(default_visibility = ["//visibility:public"])',
            "",
        ]
        flag_values = f"    flag_values = {{{json.dumps(self.python_flag)}: {json.dumps(self.python_build)}}},\n" if self.python_flag else ""
        for cpu, values in sorted(constraints.items()):
            out += [f'config_setting(\n    name = "linux_musl_{cpu}",\n    constraint_values = {_starlark_list(values)},\n{flag_values})', ""]
            if self.python_flag:
                # The platform without the build: a binary of another Python build (the branch above
                # refines this one, so select() takes it when both match).
                out += [f'config_setting(\n    name = "linux_musl_{cpu}_other_build",\n    constraint_values = {_starlark_list(values)},\n)', ""]
        platforms = " or ".join(f"@rules_pystatic//platforms:{row['platform']}" for row in by_cpu().values())
        out += [
            "pystatic_wheel_unavailable(",
            '    name = "unsupported_platform",',
            '    target_compatible_with = ["@platforms//:incompatible"],',
            f'    message = "wheels of this repository are for linux musl targets (--platforms={platforms})",',
            ")",
            "",
        ]
        if self.python_flag:
            message = (f"the wheels of this repository ({self.lock_label}) are resolved for Python {self.python_build}, "
                       "and this target is built for another Python build. Fix: set python_version = "
                       f"\\\"{self.python_build}\\\" on the binary (or --@rules_pystatic//python:version={self.python_build}), "
                       "or use a pystatic.wheels repository whose python_version is the binary's")
            out += [f'pystatic_wheel_unavailable(\n    name = "wrong_python_build",\n    message = "{message}",\n)', ""]
        summary = {}
        for (key, cpu), result in sorted(self.resolved.items()):
            package = result.package
            name = f"{package.target}_{cpu}"
            deps, missing = (None, None) if result.unavailable else self._deps(result)
            reason = result.unavailable or missing
            if key in self.from_source and not reason:
                sdist, fallback, why = self.from_source[key]
                native = self.native_libraries.get(canonicalize_name(package.name), [])
                native_env = self.native_env.get(canonicalize_name(package.name), {})
                out += [
                    f"# {package.name} {package.version}: built from its sdist ({why}).",
                    "pystatic_sdist_package(",
                    f"    name = {json.dumps(name)},",
                    f"    package = {json.dumps(package.name)},",
                    f"    version = {json.dumps(package.version)},",
                    f'    sdist = "//:{SDIST_DIR}/{sdist}",',
                    f"    fallback_wheel = {json.dumps(f'//:{SDIST_DIR}/{fallback}') if fallback else 'None'},",
                    '    build_tools = ["//:build_tools"],',
                ] + ([f"    native_libraries = {_starlark_list(sorted(native))},"] if native else []) + (
                    [f"    env = {json.dumps(native_env, sort_keys=True)},"] if native_env else []) + [
                    f"    deps = {_starlark_list(deps)},",
                    ")",
                    "",
                ]
                summary.setdefault(package.target, {})[cpu] = "sdist " + sdist
                continue
            if reason:
                out += [f"pystatic_wheel_unavailable(\n    name = {json.dumps(name)},\n    message = {json.dumps(reason)},\n)", ""]
            else:
                root = result.root
                excluded = [f"{root}/{n}" for n in result.natives] + [f"{root}/**/*.pyc"]
                out += [
                    "pystatic_wheel(",
                    f"    name = {json.dumps(name)},",
                    f"    package = {json.dumps(package.name)},",
                    f"    version = {json.dumps(package.version)},",
                    f"    wheel = {json.dumps(result.wheel_file)},",
                    f'    srcs = glob([{json.dumps(root + "/**/*.py")}]),',
                    f'    data = glob([{json.dumps(root + "/**")}], exclude = {_starlark_list([root + "/**/*.py"] + excluded, "        ")}),',
                    f"    import_root = {json.dumps(root)},",
                    f"    native_files = {_starlark_list(result.natives)},",
                    f"    built_in = {_starlark_list(self.built_in)},",
                    f"    deps = {_starlark_list(deps)},",
                    ")",
                    "",
                ]
            summary.setdefault(package.target, {})[cpu] = result.wheel_file or ("unavailable: " + reason)
        if self.from_source:
            out += [
                "# The ruleset's build lock (tools/pystatic/packages/sdist_build/requirements.txt): pure wheels the",
                "# PEP 517 backends run with.",
                f"filegroup(\n    name = \"build_tools\",\n    srcs = {_starlark_list([f'{BUILD_TOOLS_DIR}/{n}' for n in sorted(self.build_tools)])},\n)",
                "",
                f'exports_files(glob(["{SDIST_DIR}/*"]))',
                "",
            ]
            out[1] = f'load("{rules_bzl}", "pystatic_wheel", "pystatic_wheel_unavailable")\n' + \
                f'load("{sdist_bzl or rules_bzl.replace("wheel.bzl", "sdist.bzl")}", "pystatic_sdist_package")'
        (self.repo_dir / "BUILD.bazel").write_text("\n".join(out))
        for key, package in sorted(self.packages.items()):
            branches = "".join(f'        "//:linux_musl_{cpu}": "//:{package.target}_{cpu}",\n' for cpu in CPUS)
            if self.python_flag:
                branches += "".join(f'        "//:linux_musl_{cpu}_other_build": "//:wrong_python_build",\n' for cpu in CPUS)
            pkg_dir = self.repo_dir / package.target
            pkg_dir.mkdir(exist_ok=True)
            sdist = (
                "\n# The sdist's files, for py_static_extension (e.g. `@<repo>//<package>:sdist/src/x.c`).\n"
                'exports_files(glob(["sdist/**"]), visibility = ["//visibility:public"])\n'
                if key in self.sdists else ""
            )
            (pkg_dir / "BUILD.bazel").write_text(
                f"# {package.name} {package.version} from {self.lock_label}.\n"
                "alias(\n"
                f"    name = {json.dumps(package.target)},\n"
                "    actual = select({\n" + branches + '        "//conditions:default": "//:unsupported_platform",\n'
                "    }),\n"
                '    visibility = ["//visibility:public"],\n'
                ")\n" + sdist
            )
        (self.repo_dir / "wheels.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        return summary


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", required=True)
    parser.add_argument("--lock_label", default="")
    parser.add_argument("--repo_dir", required=True)
    parser.add_argument("--python_version", required=True, help="full version of the target CPython")
    parser.add_argument("--abiflags", default="", help='"t": wheels for the free-threaded build (cp313t)')
    parser.add_argument("--python_build", default="", help="the Python build, e.g. 3.13t (distribution/toolchains/python_builds.bzl)")
    parser.add_argument("--python_flag", default="", help="label of the build setting that selects it")
    parser.add_argument("--rules_bzl", required=True, help="label of rules/private/wheel.bzl")
    parser.add_argument("--constraint", action="append", default=[], nargs=2, metavar=("CPU", "LABEL"))
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--sdist", action="append", default=[], help="also fetch and unpack this package's sdist")
    parser.add_argument("--built_in", action="append", default=[], help="extension module linked in as a built-in")
    parser.add_argument("--build_from_source", action="append", default=[], help="package (or *) built from its sdist")
    parser.add_argument("--no_auto_build", action="store_true", help="never build from source unless asked")
    parser.add_argument("--build_lock", help="hashed requirements.txt of the PEP 517 build environment")
    parser.add_argument("--native_library", action="append", default=[], nargs=2, metavar=("PACKAGE", "LABEL"),
                        help="a native library (sources.json native) the package's build is given")
    parser.add_argument("--native_env", action="append", default=[], nargs=2, metavar=("PACKAGE", "KEY=VALUE"),
                        help="environment of the package's build that makes it use its native library")
    parser.add_argument("--sdist_bzl", default="", help="label of rules/private/sdist.bzl")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    repo = WheelRepository(
        args.lock, args.repo_dir, sys.executable, args.python_version, args.exclude, args.lock_label,
        sdists=args.sdist, built_in=args.built_in, build_from_source=args.build_from_source,
        build_lock=args.build_lock, auto_build=not args.no_auto_build,
        native_libraries=args.native_library, native_env=args.native_env,
        abiflags=args.abiflags, python_build=args.python_build, python_flag=args.python_flag,
    )
    constraints = {}
    for cpu, label in args.constraint:
        constraints.setdefault(cpu, []).append(label)
    try:
        repo.resolve()
        summary = repo.write(args.rules_bzl, constraints, args.sdist_bzl)
    except LockError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for target, cpus in sorted(summary.items()):
        print(f"pystatic.wheels: {target}: " + "; ".join(f"{cpu}: {what}" for cpu, what in sorted(cpus.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
