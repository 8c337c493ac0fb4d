"""What each locked package becomes on each target platform: the pure data between resolution and rendering.

resolve.py decides (fetching and unpacking as it goes), render.py turns the plan into BUILD files;
neither knows the other's work. Names of targets are in the repository's root package (`//:<name>`).
"""

from dataclasses import dataclass, field

# The repository's layout: unpacked wheels, sdists built from source, the build lock's wheels.
UNPACK_DIR = "_whl"
SDIST_DIR = "_sdist"
BUILD_TOOLS_DIR = "_build_tools"


@dataclass(frozen=True)
class TargetPlatform:
    """A target platform of the repository (a row of TARGETS): its config_setting and the suffix of its targets."""

    key: str  # the suffix of the package targets: the cpu for linux-musl, else the platform's name (platforms.py)
    setting: str  # the name of its config_setting: linux_musl_<cpu>, else the platform's name
    name: str  # the platform in //platforms
    constraints: tuple  # labels of its constraint values


class _PerPlatformTarget:
    """A package's target for one platform: `target` and `platform_key` fields, named `<target>_<platform_key>`."""

    @property
    def name(self):
        return f"{self.target}_{self.platform_key}"


@dataclass(frozen=True)
class WheelTarget(_PerPlatformTarget):
    """pystatic_wheel: the package's wheel for this platform, unpacked under `root`."""

    target: str  # the package's normalized name (lower case, `_`): its directory, its targets' prefix
    platform_key: str  # TargetPlatform.key
    package: str  # as the lock writes it
    version: str
    wheel_file: str
    root: str  # the import root in the repository: UNPACK_DIR/<wheel file without .whl>
    natives: tuple  # native files relative to root
    deps: tuple  # names of targets in the root package
    data_sources: tuple = ()  # `.py` files relative to root that no import names: data files


@dataclass(frozen=True)
class SdistTarget(_PerPlatformTarget):
    """pystatic_sdist_package: built from its sdist (in SDIST_DIR) by its own PEP 517 backend."""

    target: str
    platform_key: str
    package: str
    version: str
    sdist: str  # file name in SDIST_DIR
    fallback_wheel: str  # pure wheel in SDIST_DIR, or ""
    why: str  # why it is built from source, said in a comment
    native_libraries: tuple  # labels of native libraries its build is given, sorted
    env: dict = field(default_factory=dict)  # environment of its build that makes it use them
    deps: tuple = ()


@dataclass(frozen=True)
class UnavailableTarget(_PerPlatformTarget):
    """pystatic_wheel_unavailable: fails analysis on this platform with the reason and the fix."""

    target: str
    platform_key: str
    message: str
    wheel_file: str = ""  # the wheel chosen before a dependency was found missing, if any


@dataclass(frozen=True)
class BrokenTarget(_PerPlatformTarget):
    """pystatic_wheel_broken: the package could not be fetched or unpacked; building what needs it fails
    (at build time, not analysis: every other package of the lock keeps working) with the message."""

    target: str
    platform_key: str
    message: str  # names the package, the wheel or sdist, the reason and the fix
    wheel_file: str = ""


@dataclass(frozen=True)
class PackageAlias:
    """`@<repo>//<target>`: selects the package's target of the platform."""

    target: str
    package: str
    version: str
    exports_sdist: bool  # its sdist is unpacked under <target>/sdist (`sdists = [...]`)


@dataclass
class RepositoryPlan:
    lock_label: str
    platforms: tuple  # TargetPlatform, in the order of TARGETS (the order of the aliases' select() branches)
    built_in: tuple  # extension modules linked in as built-ins, sorted
    targets: list  # WheelTarget | SdistTarget | UnavailableTarget | BrokenTarget, by package then platform key
    aliases: list  # PackageAlias, by package
    builds_from_source: bool = False  # some package is built from its sdist: the build tools are there
    build_tools: tuple = ()  # wheel files in BUILD_TOOLS_DIR, sorted
