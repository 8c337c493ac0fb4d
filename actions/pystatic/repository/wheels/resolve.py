"""Resolution: what each locked package becomes on each target platform, as a RepositoryPlan (plan.py).

For each platform: the package's marker and requires-python, the best fitting wheel (fetched once
by sha256, checked, unpacked), the Requires-Dist edges of its METADATA. Packages whose wheel's
extension has no pure-Python fallback (or that are named in build_from_source) are built from
their sdist instead, for linux-musl and Windows alike; so is a package on a platform that no wheel
of the lock fits (on Windows, whose binaries cannot load extension modules: none but pure ones),
the other platforms keeping their wheel. The build lock's wheels then come along. What cannot be
used on a platform becomes an UnavailableTarget with the reason and the fix (analysis fails there),
e.g. a package with neither a wheel the platform takes nor an sdist. What cannot be
fetched, checked or unpacked (pip's error, a hash mismatch, a corrupt archive) becomes a
BrokenTarget: building what needs that package fails with the reason and the fix, while every
other package of the lock keeps working. Only a lock that cannot be read fails the fetch.
"""

import pathlib
import shutil
import sys
from dataclasses import dataclass, field

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from pystatic.modules import import_scan
from pystatic.modules.fallbacks import analyse
from pystatic.modules.names import module_of
from pystatic.repository.hashing import sha256_of
from pystatic.repository.wheels.broken import PACKAGE_ERRORS, broken_message, no_wheel_fix
from pystatic.repository.wheels.dependencies import dependency_targets
from pystatic.repository.wheels.fetch import fetch_build_tool_with_pip, fetch_sdist_with_pip, fetch_with_pip
from pystatic.repository.wheels.lock import (
    LockedPackage, LockedWheel, LockError, NoWheelForPlatform, overlaid_lock, read_lock,
)
from pystatic.repository.wheels.plan import (
    BUILD_TOOLS_DIR,
    SDIST_DIR,
    UNPACK_DIR,
    BrokenTarget,
    PackageAlias,
    RepositoryPlan,
    SdistTarget,
    TargetPlatform,
    UnavailableTarget,
    WheelTarget,
)
from pystatic.repository.wheels.platforms import Platform, choose_wheel, is_pure, loaded_natives, marker_applies
from pystatic.repository.wheels.unpack import (requirements_of, unpack_sdist, unpack_wheel,
                                                write_lock_record)

AUTOMATIC = "automatic: its wheel's extension has no pure-Python fallback (auto_build_from_source)"
# As pip and uv do: a platform the lock has no wheel for gets the package built from its sdist.
NO_WHEEL = "automatic: the lock has no wheel for this platform, only its sdist"


@dataclass
class Resolved:
    """A package on one platform while resolving: a wheel and dependency edges, or the reason it is unavailable."""

    package: LockedPackage
    platform: Platform
    wheel_file: str = ""
    root: str = ""
    natives: list = field(default_factory=list)
    requires: list = field(default_factory=list)  # Requirement
    unavailable: str = ""
    no_wheel: bool = False  # no wheel of the lock it can take: its sdist, if locked, is built for it instead
    broken: str = ""  # could not be fetched or unpacked: the message of its BrokenTarget
    dist_info: str = ""
    sha256: str = ""
    data_sources: list = field(default_factory=list)  # `.py` files no import names: data


class Resolver:
    """Resolves a lock for the target platforms into repo_dir (wheels unpacked, sdists copied).

    fetch, fetch_sdist and fetch_build_tool default to pip (fetch.py); tests give stand-ins.
    """

    def __init__(self, lock_path, repo_dir, python, platforms, excludes=(), lock_label="", fetch=fetch_with_pip,
                 sdists=(), built_in=(), fetch_sdist=fetch_sdist_with_pip, fetch_build_tool=fetch_build_tool_with_pip,
                 build_from_source=(), build_lock=None, auto_build=True, native_libraries=(), native_env=(),
                 build_requirements=None, build_requirements_label=""):
        self.lock_path = pathlib.Path(lock_path)
        self.lock_label = lock_label or self.lock_path.name
        self.repo_dir = pathlib.Path(repo_dir)
        self.python = python
        self.platforms = list(platforms)
        self.excludes = {canonicalize_name(e) for e in excludes}
        self.fetch = fetch
        self.fetch_sdist = fetch_sdist
        self.fetch_build_tool = fetch_build_tool
        self.sdists = {canonicalize_name(n) for n in sdists}
        self.built_in = sorted(built_in)
        self.build_from_source = {n if n == "*" else canonicalize_name(n) for n in build_from_source}
        self.build_lock = build_lock
        self.build_requirements = build_requirements
        self.build_requirements_label = build_requirements_label
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
        self.fetched_sdists = {}  # key -> the archive fetched for `sdists`, which a build then reuses
        self.wheel_keys = {}  # key -> platform keys whose wheel stays (a NO_WHEEL build is only for the others)
        self.build_tools = []  # wheel file names in BUILD_TOOLS_DIR
        self.unpacked = {}  # sha256 -> (root, natives, dist_info)
        self.failed = {}  # wheel sha256 -> the message of its BrokenTarget (not fetched twice)

    def resolve(self):
        """Fetches, unpacks and decides; returns the RepositoryPlan."""
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
                self.resolved[(key, platform.key)] = self._resolve_one(package, platform, work)
        unknown = self.sdists - set(self.packages)
        if unknown:
            raise LockError(f"sdists names {', '.join(sorted(unknown))}, which {self.lock_label} does not lock.")
        sdist_files = {}
        for key in sorted(self.sdists):
            package = self.packages[key]
            try:
                archive = self.fetched_sdists[key] = self.fetch_sdist(self.python, package, work)
                unpack_sdist(archive, self.repo_dir / package.target / "sdist")
            except PACKAGE_ERRORS as err:
                self._break(key, broken_message(package, "its sdist, which `sdists` asks for", err))
                continue
            sdist_files[key] = {"file": archive.name, "sha256": sha256_of(archive)}
        self._build_from_source(work)
        for result in self.resolved.values():
            if result.dist_info:
                self._write_lock_record(result, sdist_files.get(result.package.key))
        shutil.rmtree(work)
        return self.plan()

    def _sdist_platforms(self, key):
        """The platforms the package's sdist is built for, if it is: all that build sdists but those
        whose wheel stays (wheel_keys)."""
        return [p for p in self.platforms if p.builds_sdists and p.key not in self.wheel_keys.get(key, ())]

    def _break(self, key, message, platforms=None):
        """Every platform's target of the package (or those of `platforms`) fails to build with `message`."""
        print(f"pystatic.wheels: {message}", file=sys.stderr)
        for platform in self.platforms if platforms is None else platforms:
            result = self.resolved[(key, platform.key)]
            if not result.unavailable:
                result.broken = message

    def _write_lock_record(self, result, sdist):
        record = {"lock": self.lock_label, "name": result.package.name, "version": result.package.version,
                  "wheel": result.wheel_file, "sha256": result.sha256}
        if sdist:
            record["sdist"] = sdist
        write_lock_record(self.repo_dir / result.root / result.dist_info, record)

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
                result.unavailable, result.no_wheel = f"{where}: {reason}. {no_wheel_fix(platform)}", True
                return result
        elif not platform.loads_extensions:
            wheel = self._pure_pick(package)
        what = wheel.filename if wheel else f"a wheel for {platform.triple}"
        if wheel and wheel.sha256 in self.failed:
            result.broken = self.failed[wheel.sha256]
            return result
        try:
            self._fetch_and_unpack(result, package, platform, wheel, work)
            result.natives = loaded_natives(result.wheel_file, result.natives, platform, where)
            if result.natives and not platform.loads_extensions:
                # A pure-tagged wheel with shared objects all the same (choose_wheel takes no other).
                natives = ", ".join(result.natives[:3]) + (", ..." if len(result.natives) > 3 else "")
                result.unavailable = (
                    f"{where}: its wheel {result.wheel_file} has extension modules ({natives}), and {platform.system} "
                    f"binaries cannot load wheels' extension modules yet (docs/windows.md). {no_wheel_fix(platform)}")
                result.no_wheel = True
        except NoWheelForPlatform as err:
            result.unavailable, result.no_wheel = f"{where}: {err}. {no_wheel_fix(platform)}", True
        except PACKAGE_ERRORS as err:
            result.broken = broken_message(package, what, err)
            print(f"pystatic.wheels: {result.broken}", file=sys.stderr)
            if wheel:
                self.failed[wheel.sha256] = result.broken
        return result

    def _pure_pick(self, package):
        """The pure wheel pip picked for a hash-only pin on a platform resolved before, or None (pip is asked).

        pip picks a pure wheel only where the pin has none of that platform's own, so it is the one a
        platform that takes pure wheels only gets too: taken as if the lock named it, not fetched again
        (prefetch.py does not ask pip for it either)."""
        for platform in (p for p in self.platforms if p.loads_extensions):  # where pip may pick any wheel
            result = self.resolved.get((package.key, platform.key))
            if result and result.sha256 and not result.broken and is_pure(result.wheel_file):
                return LockedWheel(result.wheel_file, result.sha256)
        return None

    def _fetch_and_unpack(self, result, package, platform, wheel, work):
        where = f"{package.name} {package.version}"
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
                natives, dropped, dist_info, data_sources = unpack_wheel(path, self.repo_dir / root)
                if dropped:
                    print(
                        f"pystatic.wheels: {path.name}: left out {len(dropped)} file(s) outside the import path "
                        f"(scripts, headers), e.g. {dropped[0]}",
                        file=sys.stderr,
                    )
                self.unpacked[digest] = (root, natives, dist_info, data_sources)
        root, natives, dist_info, data_sources = self.unpacked[digest]
        result.root, result.natives, result.dist_info, result.sha256 = root, natives, dist_info, digest
        result.data_sources = data_sources
        result.wheel_file = root.split("/", 1)[1] + ".whl"
        metadata = (self.repo_dir / root / dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
        result.requires = requirements_of(metadata)

    def _source_candidates(self):
        """{key: why} of the packages to build from their sdists."""
        unknown = {n for n in self.build_from_source if n != "*"} - set(self.packages)
        if unknown:
            raise LockError(f"build_from_source names {', '.join(sorted(unknown))}, which {self.lock_label} does not lock.")
        chosen = {}
        for key, package in sorted(self.packages.items()):
            results = [self.resolved[(key, p.key)] for p in self.platforms if p.builds_sdists]
            # Whether its extension is needed is asked of the wheels that platforms load as they are.
            loaded = [r for r in results if r.platform.loads_extensions]
            natives = any(r.natives for r in loaded)
            # A linux-musl platform without a wheel has the sdist built (as pip would). A Windows one only
            # when the repository fetches the sdist anyway (`sdists`): fetching every locked sdist and the
            # build tools for a platform that may never be built for would slow every repository's fetch.
            no_wheel = any(r.no_wheel for r in loaded) or (key in self.sdists and any(r.no_wheel for r in results))
            usable = {r.platform.key for r in results if not r.unavailable and not r.broken}
            if key in self.build_from_source:
                chosen[key] = "build_from_source"
            elif "*" in self.build_from_source and (natives or (no_wheel and package.sdist)):
                chosen[key] = 'build_from_source = ["*"]'
            elif self.auto_build and natives and ((package.sdist and package.sdist.sha256) or package.hashes) \
                    and self._needs_extension(loaded):
                chosen[key] = AUTOMATIC
                # A platform that takes pure wheels only keeps its pure wheel: the extension is not needed there.
                self.wheel_keys[key] = usable - {r.platform.key for r in loaded}
            elif no_wheel and ((package.sdist and package.sdist.sha256) or (package.hashes and not package.wheels)):
                chosen[key] = NO_WHEEL
                self.wheel_keys[key] = usable
        return chosen

    def _needs_extension(self, results):
        """Whether check_wheel would likely refuse a chosen wheel (no guarded pure-Python fallback).

        A hint for the automatic sdist build, from the version-independent text scan (import_scan):
        the host's `ast` may not parse the target's syntax. PyStaticWheel decides for real.
        """
        for result in results:
            if not result.natives:
                continue
            root = self.repo_dir / result.root
            sources = {}
            for path in root.rglob("*.py"):
                rel = path.relative_to(root).as_posix()
                sources[module_of(rel)] = (path.read_text(encoding="utf-8", errors="replace"), rel.endswith("/__init__.py"))
            _, unusable, _ = analyse(sources, result.natives, set(self.built_in), scan=import_scan.imports_of)
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
                archive = self.fetched_sdists.get(key) or self.fetch_sdist(self.python, package, work)
            except PACKAGE_ERRORS as err:
                if why not in (AUTOMATIC, NO_WHEEL):
                    self._break(key, broken_message(package, f"its sdist, built from source ({why})", err),
                                self._sdist_platforms(key))
                    continue
                # A requirements.txt may pin only wheels: the wheel's check then fails the build as before
                # (AUTOMATIC), or the platforms without a wheel stay unavailable with their fix (NO_WHEEL).
                print(f"pystatic.wheels: {package.name} {package.version}: no sdist to build from: {err}", file=sys.stderr)
                continue
            shutil.copyfile(archive, sdist_dir / archive.name)
            fallback = ""
            pure = [w for w in package.wheels if w.filename.endswith("-none-any.whl")]
            if pure:
                try:
                    path = self.fetch(self.python, package, self.platforms[0], pure[0], work)
                    if sha256_of(path) != pure[0].sha256:
                        raise LockError(f"{path.name} ({package.name}) does not have the sha256 the lock pins.")
                except PACKAGE_ERRORS as err:
                    self._break(key, broken_message(package, f"{pure[0].filename}, its pure fallback wheel", err),
                                self._sdist_platforms(key))
                    continue
                shutil.copyfile(path, sdist_dir / path.name)
                fallback = path.name
            self.from_source[key] = (archive.name, fallback, why)
            print(f"pystatic.wheels: {package.name} {package.version}: built from its sdist {archive.name} ({why})",
                  file=sys.stderr)
            without_wheel = [r for r in (self.resolved[(key, p.key)] for p in self._sdist_platforms(key)) if r.no_wheel]
            if without_wheel:
                # No wheel for these platforms: the sdist's own metadata gives the dependencies.
                unpacked = work / f"pkginfo-{key}"
                unpack_sdist(archive, unpacked)
                info = unpacked / "PKG-INFO"
                requires = requirements_of(info.read_text(encoding="utf-8", errors="replace")) if info.exists() else []
                for result in without_wheel:
                    result.unavailable, result.requires = "", list(requires)
        if not self.from_source:
            return  # no sdist could be fetched: no build tools needed
        if not self.build_lock:
            raise LockError("packages are built from source, but no build lock was given (--build_lock).")
        tools_dir = self.repo_dir / BUILD_TOOLS_DIR
        tools_dir.mkdir(exist_ok=True)
        for package in overlaid_lock(self.build_lock, "the ruleset's build lock", self.build_requirements,
                                     self.build_requirements_label):
            try:
                path = self.fetch_build_tool(self.python, package, self.platforms[0], work)
            except PACKAGE_ERRORS as err:
                # Without the PEP 517 build environment no sdist builds: those packages break, no other.
                for key in sorted(self.from_source):
                    self._break(key, broken_message(self.packages[key], f"its sdist {self.from_source[key][0]}",
                                                    f"the build tool {err}"), self._sdist_platforms(key))
                self.from_source.clear()
                return
            shutil.copyfile(path, tools_dir / path.name)
            self.build_tools.append(path.name)

    def plan(self):
        """The decision for every package and platform (RepositoryPlan), from what resolve() found."""
        targets = []
        all_deps = dependency_targets(self.resolved, self.packages, self.excludes, self.lock_label)
        for (key, platform_key), result in sorted(self.resolved.items()):
            package, platform = result.package, result.platform
            deps, missing = (None, None) if result.unavailable or result.broken else all_deps[(key, platform_key)]
            reason = result.unavailable or missing
            if result.broken and not result.unavailable:
                targets.append(BrokenTarget(package.target, platform_key, result.broken, result.wheel_file))
            elif key in self.from_source and platform in self._sdist_platforms(key) and not reason:
                sdist, fallback, why = self.from_source[key]
                targets.append(SdistTarget(
                    package.target, platform_key, package.name, package.version, sdist, fallback, why,
                    native_libraries=tuple(sorted(self.native_libraries.get(key, []))),
                    env=dict(self.native_env.get(key, {})), deps=tuple(deps),
                ))
            elif reason:
                # wheels.json names the wheel a missing dependency made unusable; on Windows, why (its
                # wheel may be one it cannot load).
                shown = result.wheel_file if platform.loads_extensions else ""
                targets.append(UnavailableTarget(package.target, platform_key, reason, shown))
            else:
                targets.append(WheelTarget(package.target, platform_key, package.name, package.version, result.wheel_file,
                                           result.root, tuple(result.natives), tuple(deps), tuple(result.data_sources)))
        return RepositoryPlan(
            lock_label=self.lock_label,
            platforms=tuple(TargetPlatform(p.key, p.setting, p.name, p.constraints) for p in self.platforms),
            built_in=tuple(self.built_in),
            targets=targets,
            aliases=[PackageAlias(p.target, p.name, p.version, key in self.sdists) for key, p in sorted(self.packages.items())],
            builds_from_source=bool(self.from_source),
            build_tools=tuple(sorted(self.build_tools)),
        )
