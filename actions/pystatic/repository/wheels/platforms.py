"""Target platforms and wheel tags: which locked wheel, if any, each target platform takes.

The platforms come from the Starlark table TARGETS (distribution/toolchains/targets.bzl), which the
repository rule writes as JSON (`--targets`): Starlark is the only home of target facts. Markers are
evaluated for the target, not the build machine; wheels are ranked by CPython's own tag order.
"""

import json
import pathlib
from dataclasses import dataclass

from packaging import tags as wheel_tags
from packaging.markers import InvalidMarker, Marker
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from pystatic.repository.wheels.lock import LockError


@dataclass(frozen=True)
class Platform:
    """One target platform with the distribution's CPython: what wheels and markers are evaluated for."""

    triple: str  # key of TARGETS, e.g. x86_64-linux-musl
    cpu: str  # platform_machine in markers
    name: str  # the platform in //platforms, e.g. linux_musl
    wheel_platforms: tuple  # musllinux platform tags accepted, best first
    python_version: str  # full, e.g. 3.13.15
    abiflags: str = ""  # "t": the free-threaded build (cp313t wheels; no abi3)

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
        return list(self.wheel_platforms)

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


def platforms_of(rows, python_version, abiflags=""):
    """Platforms of TARGETS rows [{"triple", "platform", "cpu", "wheel_platforms"}], in their order."""
    return [
        Platform(row["triple"], row["cpu"], row["platform"], tuple(row["wheel_platforms"]), python_version, abiflags)
        for row in rows
    ]


def read_targets(path):
    """The TARGETS rows the repository rule wrote as a JSON list, in the table's order."""
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"))


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
