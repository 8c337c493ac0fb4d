"""Target platforms and wheel tags: which locked wheel, if any, each target platform takes.

The platforms come from the Starlark table TARGETS (distribution/toolchains/targets.bzl), which the
repository rule writes as JSON (`--targets`): Starlark is the only home of target facts. Markers are
evaluated for the target, not the build machine; wheels are ranked by CPython's own tag order.

Windows binaries cannot load wheels' extension modules yet (no loader of DLLs from memory:
docs/windows.md), so a Windows platform takes pure-Python wheels only: a lock's win_amd64 wheels fit
its tags but are platform-specific, and choose_wheel says so instead of choosing them. A package with
no wheel Windows can take is built from its locked sdist for it instead (resolve.py), as for
linux-musl: its C extensions become built-ins of the .exe.
"""

import json
import pathlib
import sys
from dataclasses import dataclass

from packaging import tags as wheel_tags
from packaging.markers import InvalidMarker, Marker
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from pystatic.repository.wheels.lock import LockError


# What Python says of the OS of a TARGETS row's `os`: os.name, sys.platform, platform.system().
OS_MARKERS = {
    "linux": {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux"},
    "windows": {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows"},
}


@dataclass(frozen=True)
class Platform:
    """One target platform with the distribution's CPython: what wheels and markers are evaluated for."""

    triple: str  # key of TARGETS, e.g. x86_64-linux-musl
    cpu: str  # the @platforms//cpu constraint
    name: str  # the platform in //platforms, e.g. linux_musl
    wheel_platforms: tuple  # platform tags accepted, best first (musllinux, win_amd64)
    python_version: str  # full, e.g. 3.13.15
    abiflags: str = ""  # "t": the free-threaded build (cp313t wheels; no abi3)
    os: str = "linux"  # the @platforms//os constraint: a key of OS_MARKERS
    platform_machine: str = ""  # platform.machine() on the target (AMD64 on Windows); "": the cpu
    constraints: tuple = ()  # labels of its constraint values: the repository's config_setting

    @property
    def major_minor(self):
        return tuple(int(p) for p in self.python_version.split(".")[:2])

    @property
    def loads_extensions(self):
        """Whether its binaries can load a wheel's extension modules (shared objects from memory):
        linux-musl only (docs/windows.md). The others take pure-Python wheels only."""
        return self.os == "linux"

    @property
    def builds_sdists(self):
        """Whether packages are built from their sdists for it, their C extensions compiled with its
        toolchain into built-ins: linux-musl and Windows."""
        return self.os in ("linux", "windows")

    @property
    def system(self):
        """platform.system() on the target: Linux, Windows."""
        return OS_MARKERS[self.os]["platform_system"]

    @property
    def wheel_scope(self):
        """What wheels fit it, for messages: `CPython 3.13.15t`, and for Windows that only pure ones do."""
        scope = f"CPython {self.python_version}{self.abiflags}"
        if not self.loads_extensions:
            scope += (f"; {self.system} binaries take pure-Python wheels only, as they cannot load wheels' extension "
                      "modules yet")
        return scope

    @property
    def key(self):
        """The suffix of the package targets on this platform (`//:<package>_<key>`): the cpu for
        linux-musl, as before other platforms came (`click_x86_64`), else the platform's name
        (`click_windows_x86_64`)."""
        return self.cpu if self.os == "linux" else self.name

    @property
    def setting(self):
        """The name of its config_setting in the repository: `linux_musl_<cpu>`, else the platform's name."""
        return f"linux_musl_{self.cpu}" if self.os == "linux" else self.name

    def marker_environment(self, extra=""):
        return {
            "implementation_name": "cpython",
            "implementation_version": self.python_version,
            "platform_machine": self.platform_machine or self.cpu,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_version": "",
            "python_full_version": self.python_version,
            "python_version": "%d.%d" % self.major_minor,
            **OS_MARKERS[self.os],
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
    """Platforms of TARGETS rows [{"triple", "platform", "os", "cpu", "platform_machine", "wheel_platforms",
    "constraints"}], in their order."""
    return [
        Platform(row["triple"], row["cpu"], row["platform"], tuple(row["wheel_platforms"]), python_version, abiflags,
                 row["os"], row["platform_machine"], tuple(row["constraints"]))
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


def loaded_natives(wheel_file, natives, platform, where):
    """The shared objects of a wheel that `platform`'s binaries load from memory. None of a pure wheel's
    on a platform that loads extension modules: a pure wheel promises no code for any platform, so
    what it ships anyway is other platforms' or other processes' (debugpy's Windows and macOS
    libraries and a glibc one it injects into a debuggee); they stay data files, as installed."""
    if not (natives and platform.loads_extensions and is_pure(wheel_file)):
        return natives
    shown = ", ".join(natives[:3]) + (", ..." if len(natives) > 3 else "")
    print(f"pystatic.wheels: {where}: its pure wheel {wheel_file} ships {len(natives)} shared object(s) ({shown}): "
          "embedded as data files, not loaded from memory", file=sys.stderr)
    return []


def is_pure(filename):
    """Whether a wheel file is pure Python (every tag `none-any`: what a platform that cannot load
    extension modules takes). A name that is no wheel's is not."""
    try:
        _, _, _, file_tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return False
    return all(t.abi == "none" and t.platform == "any" for t in file_tags)


def choose_wheel(package, platform):
    """(LockedWheel, None) or (None, reason). pylock.toml only: requirements.txt leaves it to pip.

    A platform whose binaries cannot load extension modules takes the best pure wheel (is_pure); the
    reason then names the platform-specific ones that fit its tags."""
    rank = {tag: i for i, tag in enumerate(platform.supported_tags())}
    best = None
    specific = []
    for wheel in package.wheels:
        try:
            _, _, _, file_tags = parse_wheel_filename(wheel.filename)
        except InvalidWheelFilename:
            continue
        fitting = [t for t in file_tags if t in rank]
        if fitting and not platform.loads_extensions and not is_pure(wheel.filename):
            specific.append(wheel.filename)
            continue
        score = min((rank[t] for t in fitting), default=None)
        if score is not None and (best is None or score < best[0]):
            best = (score, wheel)
    if best:
        return best[1], None
    if specific:
        return None, (f"no wheel in the lock fits {platform.triple} ({platform.wheel_scope}): its wheels for "
                      f"{platform.system} are platform-specific: {', '.join(specific)}")
    have = ", ".join(w.filename for w in package.wheels) or "no wheels" + (" (only an sdist)" if package.sdist else "")
    return None, f"no wheel in the lock fits {platform.triple} ({platform.wheel_scope}); the lock has: {have}"
