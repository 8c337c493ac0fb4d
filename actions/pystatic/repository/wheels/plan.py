"""What each locked package becomes on each target platform: the pure data between resolution and rendering.

resolve.py decides (fetching and unpacking as it goes), render.py turns the plan into BUILD files;
neither knows the other's work. Names of targets are in the repository's root package (`//:<name>`).
"""

from dataclasses import dataclass, field

# The repository's layout: unpacked wheels, sdists built from source, the build lock's wheels.
UNPACK_DIR = "_whl"
SDIST_DIR = "_sdist"
BUILD_TOOLS_DIR = "_build_tools"


class _PerCpuTarget:
    """A package's target for one CPU: `target` and `cpu` fields, named `<target>_<cpu>`."""

    @property
    def name(self):
        return f"{self.target}_{self.cpu}"


@dataclass(frozen=True)
class WheelTarget(_PerCpuTarget):
    """pystatic_wheel: the package's wheel for this platform, unpacked under `root`."""

    target: str  # the package's normalized name (lower case, `_`): its directory, its targets' prefix
    cpu: str
    package: str  # as the lock writes it
    version: str
    wheel_file: str
    root: str  # the import root in the repository: UNPACK_DIR/<wheel file without .whl>
    natives: tuple  # native files relative to root
    deps: tuple  # names of targets in the root package


@dataclass(frozen=True)
class SdistTarget(_PerCpuTarget):
    """pystatic_sdist_package: built from its sdist (in SDIST_DIR) by its own PEP 517 backend."""

    target: str
    cpu: str
    package: str
    version: str
    sdist: str  # file name in SDIST_DIR
    fallback_wheel: str  # pure wheel in SDIST_DIR, or ""
    why: str  # why it is built from source, said in a comment
    native_libraries: tuple  # labels of native libraries its build is given, sorted
    env: dict = field(default_factory=dict)  # environment of its build that makes it use them
    deps: tuple = ()


@dataclass(frozen=True)
class UnavailableTarget(_PerCpuTarget):
    """pystatic_wheel_unavailable: fails analysis on this platform with the reason and the fix."""

    target: str
    cpu: str
    message: str
    wheel_file: str = ""  # the wheel chosen before a dependency was found missing, if any


@dataclass(frozen=True)
class BrokenTarget(_PerCpuTarget):
    """pystatic_wheel_broken: the package could not be fetched or unpacked; building what needs it fails
    (at build time, not analysis: every other package of the lock keeps working) with the message."""

    target: str
    cpu: str
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
    cpus: tuple  # target CPUs, in the order of TARGETS
    platform_names: tuple  # their platforms in //platforms, same order
    built_in: tuple  # extension modules linked in as built-ins, sorted
    targets: list  # WheelTarget | SdistTarget | UnavailableTarget | BrokenTarget, by package then cpu
    aliases: list  # PackageAlias, by package
    builds_from_source: bool = False  # some package is built from its sdist: the build tools are there
    build_tools: tuple = ()  # wheel files in BUILD_TOOLS_DIR, sorted
