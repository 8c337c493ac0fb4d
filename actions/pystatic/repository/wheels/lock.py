"""Reading locks: PEP 751 `pylock.toml`, or a `requirements.txt` whose pins carry --hash.

Every wheel (and sdist) is pinned by sha256; a lock without hashes, or not pinned to one version,
fails with the package and how to regenerate the lock.
"""

import pathlib
import re
import sys
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python < 3.11: the vendored tomli
    import tomli as tomllib


class LockError(Exception):
    """Bad lock or fetch; the message names the package and the fix."""


class NoWheelForPlatform(LockError):
    """None of the files a hash-only lock pins is a wheel for the platform (pip found no match)."""


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
    # The packages the lock says it is pinned for (`# via` of uv and pip-compile: canonical names,
    # `-r file` dropped); None when the lock does not say (no annotations, pylock.toml).
    via: frozenset = None

    @property
    def key(self):
        return canonicalize_name(self.name)

    @property
    def target(self):
        return self.key.replace("-", "_")


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


_PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)")
_VIA = re.compile(r"(?:^|\s)#\s*via\b(.*)")
_FILE_ORIGIN = re.compile(r"-[rc]\s+\S+|\([^)]*\)")


def via_annotations(text):
    """{canonical name: frozenset of canonical names}: who each pin is for, from the `# via` comments
    `uv pip compile` and pip-compile write below a pin (`# via a, b`, or `# via` and one name per
    `#   name` line) or after it. `-r file`, `-c file` and `(pyproject.toml)` name files, not packages:
    a pin only the input asks for has an empty set. {} for a lock without annotations."""
    found, current, listing, annotated = {}, None, False, False
    for line in text.splitlines():
        if line[:1].isalnum():  # a pin starts in the first column; its options and comments are indented
            current, listing = canonicalize_name(_PIN.match(line).group(1)), False
            found[current] = frozenset()
        via = _VIA.search(line)
        annotated = annotated or via is not None
        if current is None:
            continue
        if via:  # `# via a, b`, or `# via` alone: one name per following `#   name` line
            listing = not via.group(1).strip()
            names = via.group(1)
        elif listing and re.match(r"\s*#\s{2,}\S", line):
            names = line.split("#", 1)[1]
        else:
            listing = False
            continue
        names = _FILE_ORIGIN.sub(" ", names).replace(",", " ").split()
        found[current] |= {canonicalize_name(name.split("[", 1)[0]) for name in names}
    return found if annotated else {}


def read_requirements(text, lock_name):
    """Packages of a requirements.txt where each line pins `name==version` with --hash options."""
    packages = []
    via = via_annotations(text)
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
                via=via.get(canonicalize_name(req.name)),
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


def overlaid_lock(base, base_label, overlay=None, overlay_label=""):
    """The packages of lock `base`, with those of lock `overlay` added: an overlay's pin of a package the
    base has replaces it (said on stderr when the version differs). The PEP 517 build environment is the
    ruleset's build lock overlaid with a repository's build_requirements."""
    pins = {p.key: p for p in read_lock(base, base_label)}
    if overlay:
        label = overlay_label or pathlib.Path(overlay).name
        for package in read_lock(overlay, label):
            if package.key in pins and pins[package.key].version != package.version:
                print(f"pystatic.wheels: {package.name} {package.version} of {label} replaces the build "
                      f"lock's {pins[package.key].version} in the build environment", file=sys.stderr)
            pins[package.key] = package
    return list(pins.values())
