"""Fills the repository of `pystatic.wheels`: one target per locked package and target platform.

Run by the repository rule (rules/private/wheels_repository.bzl) with the build machine's
python3, which must have pip. Steps:
  1. read the lock: PEP 751 `pylock.toml`, or a `requirements.txt` whose pins carry --hash;
  2. for each target platform (the rows of distribution/toolchains/targets.bzl's TARGETS with a static
     CPython of the repository's Python build, which the rule writes as JSON: --targets), with the
     distribution's CPython, evaluate the package's marker and pick the best wheel whose tags fit
     (musllinux or pure; pure only for Windows, whose binaries cannot load extension modules yet);
  3. fetch each chosen wheel once through `pip download` with its pinned sha256 (pip's own
     index configuration decides where from), or take it from the download cache by sha256
     (cache.py: a pin that did not change is not fetched again; prefetch.py fills it with one pip
     run per platform), check the sha256 again, unpack it;
  4. read its METADATA's Requires-Dist, evaluated for that platform: the dependency edges;
  5. write BUILD files: `@<repo>//<package>` selects `//:<package>_<cpu>` (linux-musl) or
     `//:<package>_<platform>` (`_windows_x86_64`) by platform.
Packages built from source (`build_from_source`, or automatically: a wheel whose extension
cannot be used, or no wheel the platform takes, and an sdist the lock pins) get their sdist fetched,
and a pystatic_sdist_package target per platform that builds it (linux-musl, Windows) instead
(rules/private/sdist.bzl, docs/extensions.md); the wheels of the ruleset's build lock (setuptools,
wheel, Cython) are fetched once for all of them.
What cannot be used on a platform (no fitting wheel, excluded by its marker, a dependency the
lock lacks) becomes a target that fails analysis with the reason and the fix: only building
for that platform fails. A lock without hashes, or a hash pip cannot match, fails the fetch.

This script only parses its arguments and joins the library pystatic.repository.wheels: resolution
(resolve.py) decides into a plan of pure data, rendering (render.py) writes it as BUILD files.
"""

import argparse
import pathlib
import sys

from pystatic.repository.wheels.cache import FetchCache, cache_root
from pystatic.repository.wheels.fetch import fetch_build_tool_with_pip, fetch_sdist_with_pip, fetch_with_pip
from pystatic.repository.wheels.lock import LockError
from pystatic.repository.wheels.platforms import platforms_of, read_targets
from pystatic.repository.wheels.prefetch import prefetch_lock
from pystatic.repository.wheels.render import render, summary_of, write_files
from pystatic.repository.wheels.resolve import Resolver


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", required=True)
    parser.add_argument("--lock_label", default="")
    parser.add_argument("--repo_dir", required=True)
    parser.add_argument("--targets", required=True, help="JSON list of the TARGETS rows: {triple, platform, os, cpu, "
                        "platform_machine, wheel_platforms, constraints}")
    parser.add_argument("--python_version", required=True, help="full version of the target CPython")
    parser.add_argument("--abiflags", default="", help='"t": wheels for the free-threaded build (cp313t)')
    parser.add_argument("--python_build", default="", help="the Python build, e.g. 3.13t (distribution/toolchains/python_builds.bzl)")
    parser.add_argument("--python_flag", default="", help="label of the build setting that selects it")
    parser.add_argument("--rules_bzl", required=True, help="label of rules/private/wheel.bzl")
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--sdist", action="append", default=[], help="also fetch and unpack this package's sdist")
    parser.add_argument("--built_in", action="append", default=[], help="extension module linked in as a built-in")
    parser.add_argument("--build_from_source", action="append", default=[], help="package (or *) built from its sdist")
    parser.add_argument("--no_auto_build", action="store_true", help="never build from source unless asked")
    parser.add_argument("--build_lock", help="hashed requirements.txt of the PEP 517 build environment")
    parser.add_argument("--build_requirements", help="the user's hashed requirements.txt added to (and overriding pins of) --build_lock")
    parser.add_argument("--build_requirements_label", default="", help="its label, for messages")
    parser.add_argument("--native_library", action="append", default=[], nargs=2, metavar=("PACKAGE", "LABEL"),
                        help="a native library (sources.json native) the package's build is given")
    parser.add_argument("--native_env", action="append", default=[], nargs=2, metavar=("PACKAGE", "KEY=VALUE"),
                        help="environment of the package's build that makes it use its native library")
    parser.add_argument("--sdist_bzl", default="", help="label of rules/private/sdist.bzl")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    platforms = platforms_of(read_targets(args.targets), args.python_version, args.abiflags)
    fetchers = dict(fetch=fetch_with_pip, fetch_sdist=fetch_sdist_with_pip, fetch_build_tool=fetch_build_tool_with_pip)
    root = cache_root()
    cache = FetchCache(root) if root else None
    prefetched = 0
    if cache:
        # One pip run per platform for the pins the cache lacks (prefetch.py), not one per pin.
        prefetched = prefetch_lock(sys.executable, args.lock, args.lock_label, args.exclude, platforms, cache, args.repo_dir)
        fetchers = dict(fetch=cache.wheels(fetchers["fetch"]), fetch_sdist=cache.sdists(fetchers["fetch_sdist"]),
                        fetch_build_tool=cache.build_tools(fetchers["fetch_build_tool"]))
    resolver = Resolver(
        args.lock, args.repo_dir, sys.executable, platforms, args.exclude, args.lock_label, **fetchers,
        sdists=args.sdist, built_in=args.built_in, build_from_source=args.build_from_source,
        build_lock=args.build_lock, auto_build=not args.no_auto_build,
        build_requirements=args.build_requirements, build_requirements_label=args.build_requirements_label,
        native_libraries=args.native_library, native_env=args.native_env,
    )
    try:
        plan = resolver.resolve()
    except LockError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    write_files(pathlib.Path(args.repo_dir), render(plan, args.rules_bzl, args.sdist_bzl, args.python_build, args.python_flag))
    if cache:
        print(f"pystatic.wheels: download cache {cache.root}: {cache.hits} file(s) from it "
              f"({prefetched} fetched in one pip run per platform), {cache.misses} fetched one at a time")
    for target, platforms in sorted(summary_of(plan).items()):
        print(f"pystatic.wheels: {target}: " + "; ".join(f"{key}: {what}" for key, what in sorted(platforms.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
